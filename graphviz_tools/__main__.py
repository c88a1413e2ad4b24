"""`python -m graphviz_tools ...`: the engine's CLI, given the registries it needs."""

import sys
from collections.abc import Mapping
from typing import Any

from backprop.cli import Registries, main


def _models() -> Mapping[str, Any]:
    from examples.models import MODELS  # imported only by `summary` and `render --model`

    return MODELS


def _networks() -> Mapping[str, Any]:
    from examples.networks import NETWORKS  # imported only by `train`

    return NETWORKS


sys.exit(main(registries=Registries(models=_models, networks=_networks)))
