"""The Tiny Network's settings before anyone touches them: what a network (and its
dataset's recipe) starts from. The page applies them; a Share link leaves them out
(a link carries only what differs from what a fresh page would show)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from examples.networks import NETWORKS, RECIPES

P = "net."
DEFAULT_NETWORK = "classifier"  # the Playground picture; the book's network is one click away
# widgets with one default whatever the network (their own first value)
FIXED = {P + "batch": 0, P + "seed": 0, P + "clip_on": False, P + "max_norm": 1.0,
         P + "forget": False}


def network_defaults(state: Mapping[str, Any]) -> dict[str, Any]:
    """Session key -> value a fresh page gives the network (and dataset) in `state`."""
    net = NETWORKS.get(state.get(P + "network"), NETWORKS[DEFAULT_NETWORK])
    d = net.defaults
    values = {P + "network": net.name, P + "hidden": d.hidden_layers, P + "units": d.units,
              P + "activation": d.activation, P + "loss": d.loss, P + "noise": d.noise,
              P + "lr": net.lr, P + "optimizer": net.optimizer, P + "dataset": d.dataset}
    if "dataset" in net.options:
        values[P + "dataset"] = state.get(P + "dataset", d.dataset)
        r = RECIPES.get(values[P + "dataset"])
        if r is not None:
            values.update({P + "hidden": r.hidden_layers, P + "units": r.units,
                           P + "activation": r.activation, P + "noise": r.noise,
                           P + "optimizer": r.optimizer, P + "lr": r.lr})
    return values


def fresh(state: Mapping[str, Any]) -> dict[str, Any]:
    """Every setting a link could carry, as a fresh page would have it: the default
    network and its dataset; the rest as the chosen network and dataset start."""
    from ui.net_stage import CHUNK  # a fresh page trains its first chunk at once

    net = NETWORKS.get(state.get(P + "network"), NETWORKS[DEFAULT_NETWORK])
    return {**FIXED, **network_defaults(state), P + "network": DEFAULT_NETWORK,
            P + "dataset": net.defaults.dataset, P + "trained": CHUNK}
