"""PyTorch reference for `cosmic bench train`: torchvision resnet50(weights=None), float32, random non-zero
inputs, the same batch, size and thread count as the DL4J run. Prints one JSON line."""
import json, resource, statistics, sys, time

import torch
import torchvision

size, batch, threads, warmup, iters = (int(a) for a in sys.argv[1:6])
torch.manual_seed(42)
torch.set_num_threads(threads)
model = torchvision.models.resnet50(weights=None)
x = torch.rand(batch, 3, size, size) + 0.01
y = torch.randint(0, 1000, (batch,))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = torch.nn.CrossEntropyLoss()

def step():
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()

model.train()
times = []
for i in range(warmup + iters):
    t = time.perf_counter(); step(); dt = time.perf_counter() - t
    if i >= warmup:
        times.append(dt)
train = batch / statistics.median(times)
model.eval()
times = []
with torch.no_grad():
    for i in range(warmup + iters):
        t = time.perf_counter(); model(x); dt = time.perf_counter() - t
        if i >= warmup:
            times.append(dt)
infer = batch / statistics.median(times)
print(json.dumps({"train_img_s": train, "infer_img_s": infer, "threads": torch.get_num_threads(),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                  "torch": torch.__version__}))
