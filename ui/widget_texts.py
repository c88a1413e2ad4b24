"""Streamlit's own widget texts in the UI language, where its API cannot set them.

The file uploader's button ("Upload") and its instructions ("5MB per file • PT") have
no parameter: CSS hides the built-in text (font-size 0) and shows the catalog's in a
::after. The text comes from our catalogs only (never from a user), quoted for CSS.
"""

from __future__ import annotations

import json

from backprop.i18n import DEFAULT_LANG, t

_UPLOADER = '[data-testid="stFileUploaderDropzone"]'


def _css_string(text: str) -> str:
    # JSON string syntax is valid CSS string syntax once "<" cannot end the <style>
    return json.dumps(text).replace("<", "\\3c ")


def widget_css(lang: str) -> str:
    """A <style> block that puts Streamlit's fixed English widget texts in `lang`."""
    if lang == DEFAULT_LANG:
        return ""
    button = f'{_UPLOADER} button [data-testid="stMarkdownContainer"] p'
    hint = '[data-testid="stFileUploaderDropzoneInstructions"] span'
    return (f"<style>{button}, {hint} {{font-size: 0;}}"
            f"{button}::after {{content: {_css_string(t('widget.upload', lang))}; "
            "font-size: 0.875rem;}"
            f"{hint}::after {{content: {_css_string(t('widget.drop', lang))}; "
            "font-size: 0.875rem;}"
            # "Press Ctrl+Enter to apply": the lab's own hint says it in this language
            '[data-testid="InputInstructions"] {display: none;}</style>')
