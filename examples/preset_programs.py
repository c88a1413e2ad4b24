"""The Expression Lab presets' programs, as the English page shows them (presets.py
pairs each with its key and inputs; comments are translated by catalog key).

The first four are the seed's own examples, unchanged.
"""

SEED_MEAN = """\
import torch
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
out.backward()  # computes the gradients
print(x.grad)   # prints the gradient of x
"""

SEED_DIFF_SQUARES = """\
import torch
# input tensors
x = torch.tensor(2.0, requires_grad=True)
y = torch.tensor(3.0, requires_grad=True)
# mathematical operation
z = (x + y) * (x - y)
# compute the gradients
z.backward()
# get the gradients of x and y
print(x.grad)
print(y.grad)
"""

SEED_SUM = """\
import torch
# requires_grad=True: gradients will be tracked
x = torch.tensor([2.0, 3.0], requires_grad=True)
y = torch.tensor([5.0, 6.0], requires_grad=True)
z = x + y
z.sum().backward()
print(x.grad)  # the gradient of x
print(y.grad)  # the gradient of y
"""

SEED_AB = """\
import torch
# make the tensors
a = torch.tensor([3.0, 4.0], requires_grad=True)
b = torch.tensor([5.0, 6.0], requires_grad=True)
# the operation
c = a * b + b
# backward pass from the output
c.sum().backward()
# show the gradients
print("a এর গ্র্যাডিয়েন্ট:", a.grad)
print("b এর গ্র্যাডিয়েন্ট:", b.grad)
"""

ZERO_GRAD = """\
import torch
x = torch.tensor(2.0, requires_grad=True)
y = x * x
y.backward(retain_graph=True)
print(x.grad)   # 4: dy/dx = 2x
y.backward(retain_graph=True)
print(x.grad)   # 8: the new gradient was ADDED to the old one
x.grad.zero_()  # clear it, as the book says
y.backward()
print(x.grad)   # 4 again
"""

CLIP = """\
import torch
w = torch.tensor([3.0, 4.0], requires_grad=True)
loss = (w * 10).sum()
loss.backward()
print(w.grad)   # tensor([10., 10.]): norm 14.14
norm = torch.nn.utils.clip_grad_norm_([w], max_norm=1.0)
print(norm)     # the norm before clipping
print(w.grad)   # rescaled so that its norm is 1.0
"""

TWO_LAYER = """\
import torch
x = torch.tensor(2.0)        # input
y = torch.tensor(1.0)        # target
w1 = torch.tensor(0.5, requires_grad=True)
b1 = torch.tensor(0.1, requires_grad=True)
w2 = torch.tensor(-0.3, requires_grad=True)
b2 = torch.tensor(0.2, requires_grad=True)
h = torch.relu(w1 * x + b1)  # hidden layer: h = w1*x + b1, then the activation
y_pred = w2 * h + b2         # output layer
loss = (y_pred - y) ** 2     # squared error
loss.backward()
print(w1.grad, b1.grad, w2.grad, b2.grad)
"""

LEAF_GRAD = """\
import torch
x = torch.tensor(2.0, requires_grad=True)  # a leaf: made by you
y = x * x                                  # not a leaf: made by an operation
y.retain_grad()                            # ask autograd to keep y.grad too
z = y * 3
z.backward()
print(x.is_leaf, y.is_leaf)  # True False
print(x.grad)                # 12 = dz/dx: leaves get .grad
print(y.grad)                # 3 = dz/dy: only because of retain_grad()
"""

REUSE = """\
# x and y are never assigned, so they are inputs: set them on the right.
a = x * y
z = a + x      # x is used twice: its gradient is the SUM of both paths
"""

TANH = """\
# One neuron, as in micrograd: two inputs, two weights, a bias, tanh.
n = x1 * w1 + x2 * w2 + b
o = torch.tanh(n)
"""

SOFTMAX_CE = """\
import torch
import torch.nn.functional as F
logits = torch.tensor([2.0, 1.0, 0.1], requires_grad=True)
probs = torch.softmax(logits, dim=0)
loss = -torch.log(probs[0])   # the true class is 0: cross-entropy by hand
loss.backward()
print(probs)
print(logits.grad)            # = probs - [1, 0, 0]
print(F.cross_entropy(logits.unsqueeze(0), torch.tensor([0])))  # the same loss
"""

BOOK_MANUAL = """\
import torch
x = torch.tensor(2.0)        # input
y = torch.tensor(1.0)        # target
w1 = torch.tensor(0.5, requires_grad=True)
b1 = torch.tensor(0.1, requires_grad=True)
w2 = torch.tensor(-0.3, requires_grad=True)
b2 = torch.tensor(0.2, requires_grad=True)
lr = 0.1                     # learning rate
for i in range(5):
    h = torch.relu(w1 * x + b1)      # feedforward: hidden layer
    y_pred = w2 * h + b2             # output layer
    loss = (y_pred - y) ** 2         # squared error
    loss.backward()                  # backpropagation
    with torch.no_grad():            # the update is not part of the graph
        w1 -= lr * w1.grad           # gradient descent: w <- w - lr * grad
        b1 -= lr * b1.grad
        w2 -= lr * w2.grad
        b2 -= lr * b2.grad
    w1.grad.zero_()                  # clear the gradients for the next iteration
    b1.grad.zero_()
    w2.grad.zero_()
    b2.grad.zero_()
    print(f"iteration {i}: loss {loss.item():.4f}")
"""

BOOK_SGD = """\
import torch
x = torch.tensor(2.0)        # input
y = torch.tensor(1.0)        # target
w1 = torch.tensor(0.5, requires_grad=True)
b1 = torch.tensor(0.1, requires_grad=True)
w2 = torch.tensor(-0.3, requires_grad=True)
b2 = torch.tensor(0.2, requires_grad=True)
optimizer = torch.optim.SGD([w1, b1, w2, b2], lr=0.1)
for i in range(5):
    optimizer.zero_grad()            # clear the old gradients
    h = torch.relu(w1 * x + b1)
    y_pred = w2 * h + b2
    loss = (y_pred - y) ** 2
    loss.backward()
    optimizer.step()                 # w <- w - lr * grad, for every parameter
    print(f"iteration {i}: loss {loss.item():.4f}")
"""

SEQ_REGRESSION = """\
import torch
import torch.nn as nn
torch.manual_seed(0)
X = torch.tensor([[0.0], [1.0], [2.0], [3.0]])
Y = 2 * X + 1                # the line to learn: y = 2x + 1
model = nn.Sequential(nn.Linear(1, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
for epoch in range(20):
    optimizer.zero_grad()
    loss = loss_fn(model(X), Y)
    loss.backward()
    optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
print(model[0].weight, model[0].bias)
"""
