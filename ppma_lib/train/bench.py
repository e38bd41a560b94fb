"""``ppma bench train``: training step time, clips/s and MFU of the real engine on synthetic batches.

The batches are made once on the device, so the numbers are the model + optimizer side of training
(``train_one_epoch`` with its autocast, grad scaler and loss checks), without decoding. MFU = model
FLOPs per step (analytic, ``ppma_lib.models.flops``: forward x 3 for forward + backward) / step time /
the device's peak (``--peak-tflops``, or the dense bf16/fp16 tensor peak looked up for known GPUs).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

# dense (no sparsity) peak TFLOP/s, (16-bit tensor cores, fp32/tf32); matched against the CUDA device name
PEAK_TFLOPS: dict[str, tuple[float, float]] = {
    "H200": (989.0, 494.0), "H100 PCIe": (756.0, 378.0), "H100": (989.0, 494.0), "A100": (312.0, 156.0),
    "L40S": (362.0, 183.0), "L4": (121.0, 60.0), "A10": (125.0, 62.5), "V100": (125.0, 15.7), "T4": (65.0, 8.1),
    "RTX 4090": (165.0, 82.6), "RTX 3090": (71.0, 35.6),
}


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--task", choices=["mae", "finetune", "both"], default="both")
    p.add_argument("--model", default="vit_b", help="trunk name (the MAE uses mae_<name>); default vit_b")
    p.add_argument("--batch", type=int, default=8, help="clips per step")
    p.add_argument("--frames", type=int, default=16, help="T")
    p.add_argument("--size", type=int, default=224, help="H = W")
    p.add_argument("--patch", type=int, default=16)
    p.add_argument("--tubelet", type=int, default=2)
    p.add_argument("--mask-type", choices=["random", "tube"], default="random")
    p.add_argument("--mask-ratio", type=float, default=0.9)
    p.add_argument("--repeat-masks", type=int, default=1, help="k masks per clip (MAE samples = batch x k)")
    p.add_argument("--classes", type=int, default=150)
    p.add_argument("--steps", type=int, default=10, help="timed steps")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first (allocator, autotune, compile)")
    p.add_argument("--device", default="auto")
    p.add_argument("--amp", choices=["auto", "bf16", "fp16", "off"], default="auto")
    p.add_argument("--compile", action="store_true", help="torch.compile the model")
    p.add_argument("--grad-ckpt", action="store_true", help="activation checkpointing (PPMA pre-trains with it)")
    p.add_argument("--threads", type=int, default=0, help="CPU intra-op threads (0 = torch default)")
    p.add_argument("--peak-tflops", type=float, default=0.0, help="device peak for MFU; 0 = look it up")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")


def peak_tflops(device, amp_on: bool) -> float | None:
    """The dense tensor-core peak of a known CUDA device (16-bit with amp, else tf32); None if unknown."""
    import torch

    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    for key, (half, full) in PEAK_TFLOPS.items():  # first match wins: "H100 PCIe" before "H100"
        if key in name:
            return half if amp_on else full
    return None


def bench_task(task: str, args: argparse.Namespace, device) -> dict:
    import time

    import torch

    from ppma_lib.data.transforms import BatchMix
    from ppma_lib.models.build import build_model
    from ppma_lib.models.flops import count_flops
    from ppma_lib.models.param_groups import param_groups
    from ppma_lib.sections import DataConfig, ModelConfig
    from ppma_lib.train.engine import train_one_epoch
    from ppma_lib.train.loop import amp_dtype
    from ppma_lib.train.steps import ClassifyStep, Generators, MAEStep

    mae = task == "mae"
    mcfg = ModelConfig(name=f"mae_{args.model}" if mae else args.model, patch_size=args.patch, tubelet=args.tubelet,
                       mask_type=args.mask_type, mask_ratio=args.mask_ratio, repeat_masks=args.repeat_masks)
    model = build_model(mcfg, num_frames=args.frames, img_size=args.size, num_classes=0 if mae else args.classes)
    if args.grad_ckpt:
        model.set_grad_checkpointing(True)
    model = model.to(device)
    shape = (args.batch, 3, args.frames, args.size, args.size)
    gen = torch.Generator(device).manual_seed(0)
    batch = {"video": torch.randn(shape, device=device, generator=gen)[:, None],
             "label": torch.randint(0, args.classes, (args.batch,), device=device, generator=gen),
             "source": torch.zeros(args.batch, dtype=torch.long, device=device)}
    step = MAEStep() if mae else ClassifyStep([BatchMix(DataConfig(), args.classes)], [""], multi_source=False)
    optimizer = torch.optim.AdamW(param_groups(model, 0.05), lr=1e-4, fused=device.type == "cuda")
    dtype = amp_dtype(args.amp, device)
    scaler = torch.amp.GradScaler(device.type) if dtype == torch.float16 else None
    autocast = (lambda: torch.autocast(device.type, dtype=dtype)) if dtype else None
    train_model = torch.compile(model) if args.compile else model

    def run(steps: int) -> float:
        kw = dict(lr_at=lambda s: 1e-4, first_step=0, steps=steps, gens=Generators.seeded(0, device), device=device,
                  scaler=scaler, log_every=max(steps, 1), **({"autocast": autocast} if autocast else {}))
        sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
        sync()
        t0 = time.perf_counter()
        train_one_epoch(train_model, iter(lambda: batch, None), step, optimizer, **kw)
        sync()
        return time.perf_counter() - t0

    if args.warmup:
        run(args.warmup)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    seconds = run(args.steps) / args.steps
    flops = 3 * count_flops(model, shape)  # forward + backward ~ 3 x forward
    peak = args.peak_tflops or peak_tflops(device, dtype is not None)
    k = model.repeat_masks if mae else 1
    return {
        "task": task, "model": mcfg.name, "batch_clips": args.batch, "samples_per_step": args.batch * k,
        "input": f"{args.frames}x{args.size}x{args.size}", "amp": str(dtype).replace("torch.", "") if dtype else "fp32",
        "compile": args.compile, "grad_ckpt": args.grad_ckpt, "step_ms": 1e3 * seconds,
        "clips_per_s": args.batch / seconds, "samples_per_s": args.batch * k / seconds,
        "tflop_per_step": flops / 1e12, "achieved_tflops": flops / seconds / 1e12,
        "peak_tflops": peak, "mfu": flops / seconds / 1e12 / peak if peak else None,
        "max_mem_gib": torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None,
        "params": sum(p.numel() for p in model.parameters()),
    }


def run(args: argparse.Namespace) -> int:
    import platform

    import torch

    from ppma_lib.train.distributed import pick_device

    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    tasks = ["mae", "finetune"] if args.task == "both" else [args.task]
    rows = [bench_task(t, args, device) for t in tasks]
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"{platform.processor() or 'cpu'} x{torch.get_num_threads()}"
    print(f"device: {name}  torch {torch.__version__}")
    print(f"{'task':9} {'model':18} {'input':12} {'clips':>5} {'step ms':>9} {'clips/s':>9} {'TFLOP/s':>8} {'MFU':>6}")
    for r in rows:
        mfu = f"{100 * r['mfu']:.1f}%" if r["mfu"] is not None else "n/a"
        print(f"{r['task']:9} {r['model']:18} {r['input']:12} {r['batch_clips']:>5} {r['step_ms']:>9.1f} "
              f"{r['clips_per_s']:>9.1f} {r['achieved_tflops']:>8.2f} {mfu:>6}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"device": name, "torch": torch.__version__, "rows": rows}, indent=2) + "\n")
    return 0
