"""Code shown on the Model Anatomy page as text (never run by the app)."""

# How the book's Keras steps look in PyTorch (shown on the page, not run: no weights
# are downloaded here; with torchvision you would load them with weights="DEFAULT").
VGG_FEATURES = """\
from PIL import Image
from torchvision import transforms

preprocess = transforms.Compose([
    transforms.Resize(256), transforms.CenterCrop(224),   # image.load_img(..., (224, 224))
    transforms.ToTensor(),                                # HWC 0-255 -> CHW 0-1
    transforms.Normalize(mean=[0.485, 0.456, 0.406],      # ImageNet statistics
                         std=[0.229, 0.224, 0.225]),      # (Keras: preprocess_input)
])
x = preprocess(Image.open("cat.jpg").convert("RGB")).unsqueeze(0)  # (1, 3, 224, 224)
model.eval()                                              # dropout off
with torch.no_grad():                                     # no graph needed
    features = model.features(x)                          # (1, 512, 7, 7)
print(features.shape)  # Keras (channels last): (1, 7, 7, 512)
"""
