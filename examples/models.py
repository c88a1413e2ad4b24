"""Model Anatomy's registry: the seeds' small modules, the tiny networks, and standard
architectures in plain PyTorch (no torchvision, no weight downloads).

Big models are built on the `meta` device: shapes and parameter counts are real, no
weight memory is used. Parameter counts are the published ones (tests check them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn


class SimpleModule(nn.Module):
    """The seed's tf.Module: one trainable and one non-trainable scalar, a*x + b."""

    def __init__(self) -> None:
        super().__init__()
        self.a_variable = nn.Parameter(torch.tensor(5.0))
        self.non_trainable_variable = nn.Parameter(torch.tensor(5.0), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.a_variable * x + self.non_trainable_variable


class Dense(nn.Module):
    """The seed's Dense layer: y = relu(x @ w + b), weights made in __init__."""

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.randn(in_features, out_features))
        self.b = nn.Parameter(torch.zeros(out_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x @ self.w + self.b)  # (N, out)


class SequentialModule(nn.Module):
    """The seed's two Dense layers, 3 -> 3 -> 2."""

    def __init__(self) -> None:
        super().__init__()
        self.dense_1 = Dense(3, 3)
        self.dense_2 = Dense(3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dense_2(self.dense_1(x))


class LazySequential(nn.Module):
    """The same with nn.LazyLinear: the weights appear on the first call."""

    def __init__(self) -> None:
        super().__init__()
        self.dense_1 = nn.LazyLinear(3)
        self.dense_2 = nn.LazyLinear(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.dense_2(torch.relu(self.dense_1(x))))


class LeNet5(nn.Module):
    """LeCun et al. 1998 on 1x32x32 inputs: 61,706 parameters."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),  # (N, 6, 14, 14)
            nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),  # (N, 16, 5, 5)
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(),
            nn.Linear(84, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


class Bottleneck(nn.Module):
    """ResNet v1.5 bottleneck (stride on the 3x3 conv), as torchvision defines it."""

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class ResNet50(nn.Module):
    """He et al. 2015, ImageNet head: 25,557,032 parameters (torchvision's count).

    Keras' summary (the book's) says 25,636,712 = 25,557,032 + 26,560 + 53,120:
    its convolutions carry biases (26,560, trainable; ours have bias=False because the
    BatchNorm right after each conv adds its own shift), and it counts BatchNorm's
    moving mean and variance (2 x 26,560 = 53,120) as "non-trainable params". PyTorch
    keeps those statistics as buffers (running_mean, running_var, plus one
    num_batches_tracked counter per BatchNorm), not parameters.
    Shapes are NCHW (batch, channels, height, width); Keras prints NHWC.
    """

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)  # (N, 64, 112, 112)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)  # (N, 64, 56, 56)
        self.layer1 = self._layer(64, 3)
        self.layer2 = self._layer(128, 4, 2)
        self.layer3 = self._layer(256, 6, 2)
        self.layer4 = self._layer(512, 3, 2)  # (N, 2048, 7, 7)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2048, num_classes)

    def _layer(self, planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
        down = None
        if stride != 1 or self.inplanes != planes * 4:
            down = nn.Sequential(nn.Conv2d(self.inplanes, planes * 4, 1, stride, bias=False),
                                 nn.BatchNorm2d(planes * 4))
        layers = [Bottleneck(self.inplanes, planes, stride, down)]
        self.inplanes = planes * 4
        layers += [Bottleneck(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))  # (N, 1000)


class VGG16(nn.Module):
    """Simonyan & Zisserman 2014, configuration D: 138,357,544 parameters.

    Feature extraction as the book does with Keras (include_top=False): run only
    `model.features` and keep its (1, 512, 7, 7) output; see examples/snippets.py.
    """

    CFG = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
           512, 512, 512, "M")

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 3
        for v in self.CFG:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(channels, v, 3, padding=1), nn.ReLU(inplace=True)]
                channels = v
        self.features = nn.Sequential(*layers)  # (N, 512, 7, 7)
        self.avgpool = nn.AdaptiveAvgPool2d(7)
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(), nn.Linear(4096, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class EncoderBlock(nn.Module):
    """One transformer encoder block (PyTorch's own layer): attention + feed-forward."""

    def __init__(self) -> None:
        super().__init__()
        self.block = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=256,
                                                dropout=0.0, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block(x)  # (N, tokens, 64)


class SequentialMLP(nn.Module):
    """The Tiny Network page's classifier: 2 -> 6 -> 6 -> 1 with tanh."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 6), nn.Tanh(),
                                    nn.Linear(6, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    cls: type[nn.Module]
    input_shape: tuple[int, ...]  # one example batch
    meta: bool = False  # build and run on the meta device (no weight memory)
    published: int | None = None  # the architecture's published parameter count
    make: Callable[[], nn.Module] | None = None
    seed: int = 0  # initial weights (picked so the book's input shows live ReLUs)
    inputs: tuple | None = None  # the example's values (nested), else ones

    def build(self) -> nn.Module:
        torch.manual_seed(self.seed) if not self.meta else None
        if self.meta:
            with torch.device("meta"):
                return (self.make or self.cls)()
        return (self.make or self.cls)()

    def materialized(self) -> nn.Module:
        """A fresh model whose lazy layers have weights (so a state_dict can load)."""
        model = self.build()
        if any(isinstance(p, nn.parameter.UninitializedParameter) for p in model.parameters()):
            model(self.example())
        return model

    def example(self) -> torch.Tensor:
        device = "meta" if self.meta else "cpu"
        if self.inputs is not None:
            return torch.tensor(self.inputs, device=device)
        return torch.ones(self.input_shape, device=device)


# the book's own inputs: simple_module(5.0), my_model([[2.0, 2.0, 2.0], [3.0, 3.0, 3.0]])
BOOK_BATCH = ((2.0, 2.0, 2.0), (3.0, 3.0, 3.0))


MODELS: dict[str, ModelSpec] = {m.name: m for m in (
    ModelSpec("seed-simple", SimpleModule, (1,), inputs=(5.0,)),
    ModelSpec("seed-dense", Dense, (2, 3), make=lambda: Dense(3, 3), seed=9, inputs=BOOK_BATCH),
    ModelSpec("seed-sequential", SequentialModule, (2, 3), seed=25, inputs=BOOK_BATCH),
    ModelSpec("seed-lazy", LazySequential, (2, 3), seed=42, inputs=BOOK_BATCH),
    ModelSpec("mlp", SequentialMLP, (4, 2)),
    ModelSpec("lenet5", LeNet5, (1, 1, 32, 32), published=61_706),
    ModelSpec("transformer-block", EncoderBlock, (1, 8, 64)),
    ModelSpec("resnet50", ResNet50, (1, 3, 224, 224), meta=True, published=25_557_032),
    ModelSpec("vgg16", VGG16, (1, 3, 224, 224), meta=True, published=138_357_544),
)}
