"""PyTorch side of `cosmic bench train`: torchvision resnet50(weights=None) (ResNet50 v1.5), float32, NCHW or
channels_last (NHWC),
random non-zero inputs, Adam (lr 1e-3, no weight decay), cross-entropy, the thread count given. Prints one JSON
line: per-iteration seconds, threads read back, trainable parameters, forward FLOPs counted from the modules
that ran, its own measured arithmetic peak, and this process's own peak RSS (VmHWM: unlike ru_maxrss it is not inherited
from the JVM that started this process)."""
import json, re, sys, time

import torch
import torchvision

size, batch, threads, warmup, iters = (int(a) for a in sys.argv[1:6])
variant = sys.argv[6] if len(sys.argv) > 6 else "v1.5"
layout = sys.argv[7] if len(sys.argv) > 7 else "NCHW"
memory_format = torch.channels_last if layout == "NHWC" else torch.contiguous_format
torch.manual_seed(42)
torch.set_num_threads(threads)


def vm_hwm_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def resnet50():
    model = torchvision.models.resnet50(weights=None)
    if variant == "v1":  # stride on the first 1x1 of each downsampling block, as published
        for stage in (model.layer2, model.layer3, model.layer4):
            stage[0].conv1.stride, stage[0].conv2.stride = (2, 2), (1, 1)
    return model


def forward_flops(model):
    flops = [0]

    def conv(m, i, o):
        flops[0] += 2 * o.shape[2] * o.shape[3] * m.kernel_size[0] * m.kernel_size[1] * m.in_channels // m.groups * m.out_channels

    def linear(m, i, o):
        flops[0] += 2 * m.in_features * m.out_features

    hooks = [m.register_forward_hook(conv) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    hooks += [m.register_forward_hook(linear) for m in model.modules() if isinstance(m, torch.nn.Linear)]
    model.eval()
    with torch.no_grad():
        model(torch.rand(1, 3, size, size))
    for h in hooks:
        h.remove()
    return flops[0]


def conv_peak():
    """The machine's arithmetic ceiling as oneDNN reaches it: the best of a few large 1x1 convolutions, NCHW and
    channels last. They are plain matrix products, which no algorithm can shortcut (a 3x3 one could run as
    Winograd and overstate the machine); Debian's torch.mm goes through a generic BLAS and would understate it."""
    best = 0.0
    with torch.no_grad():
        for (c, hw, b, k, fmt) in [(2048, 14, 32, 1, torch.contiguous_format), (2048, 14, 32, 1, torch.channels_last),
                                   (1024, 28, 16, 1, torch.channels_last)]:
            x = torch.rand(b, c, hw, hw).contiguous(memory_format=fmt)
            w = torch.rand(c, c, k, k).contiguous(memory_format=fmt)
            for i in range(5):
                t = time.perf_counter(); torch.nn.functional.conv2d(x, w, padding=k // 2); dt = time.perf_counter() - t
                if i > 0:
                    best = max(best, 2.0 * b * hw * hw * c * c * k * k / dt / 1e9)
    return best


def timed(fn):
    times = []
    for i in range(warmup + iters):
        t = time.perf_counter(); fn(); dt = time.perf_counter() - t
        if i >= warmup:
            times.append(dt)
    return times


profiling = len(sys.argv) > 8 and sys.argv[8] == "profile"
peak = 0.0 if profiling else conv_peak()
model = resnet50()
flops = forward_flops(model)
params = sum(p.numel() for p in model.parameters() if p.requires_grad)
model = model.to(memory_format=memory_format)
x = (torch.rand(batch, 3, size, size) + 0.01).contiguous(memory_format=memory_format)
y = torch.tensor([(i * 37) % 1000 for i in range(batch)])
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()


def step():
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()


if not profiling:
    model.train()
    train = timed(step)
    model.eval()
    with torch.no_grad():
        infer = timed(lambda: model(x))
    config = torch.__config__.show()
    print(json.dumps({"side": "pytorch", "train_s": train, "infer_s": infer, "threads": torch.get_num_threads(),
                      "params": params, "forward_flops": flops, "peak_gflops": peak, "peak_rss_mb": vm_hwm_mb(),
                      "version": "torch " + torch.__version__ + ", torchvision " + torchvision.__version__,
                      "config": " | ".join([l.strip("- ") for l in config.splitlines()
                                            if "CPU capability" in l or "MKL-DNN" in l or "OpenMP" in l]
                                           + re.findall(r"BLAS_INFO=\w+", config))}))

if profiling:
    # Where a training step's time goes (dev/profile-train): torch.profiler's self CPU time summed by kind.
    from torch.profiler import profile, ProfilerActivity

    def kind(name, shapes):
        if "convolution" in name:
            w = shapes[2] if "backward" in name and len(shapes) > 2 else (shapes[1] if len(shapes) > 1 else [])
            k = "%dx%d" % (w[2], w[3]) if len(w) == 4 else "?"
            return ("backward" if "backward" in name else "forward") + " conv " + k
        table = [("batch_norm_backward", "backward batchnorm"), ("batch_norm", "forward batchnorm"),
                 ("threshold_backward", "backward activation"), ("relu", "forward activation"),
                 ("max_pool2d_with_indices_backward", "backward subsampling"),
                 ("max_pool2d", "forward subsampling"), ("avg_pool", "globalpooling"), ("mean", "globalpooling"),
                 ("addmm", "dense"), ("mm", "dense"), ("softmax", "output"), ("nll_loss", "output"),
                 ("addcdiv", "optimizer"), ("addcmul", "optimizer"), ("sqrt", "optimizer"), ("lerp", "optimizer"),
                 ("add", "elementwise add"), ("mul", "optimizer"), ("div", "optimizer")]
        for key, k in table:
            if key in name:
                return k
        return "other " + name
    model.train()
    step()
    steps = int(sys.argv[9])
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        for _ in range(steps):
            step()
    kinds = {}
    for e in prof.key_averages(group_by_input_shape=True):
        if e.self_cpu_time_total <= 0:
            continue
        k = kind(e.key, e.input_shapes or [])
        kinds[k] = kinds.get(k, 0.0) + e.self_cpu_time_total / 1e6 / steps
    model.train()
    fit = sorted(timed(step))
    print(json.dumps({"side": "pytorch-profile", "kinds": kinds, "kinds_fit_step": fit[len(fit) // 2]}))
