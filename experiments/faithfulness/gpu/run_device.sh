#!/usr/bin/env bash
# Runs on the lent GPU machine from the repo root, with .gpu/ (made by `experiments/faithfulness/gpu/device.py prepare`) carried:
# captum from the bundle's wheel, the repo's faithlens from src/, then `device.py run`, whose files land in $OUT.
set -u
export PYTHONUNBUFFERED=1
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .gpu/wheels/*.whl || exit 1
export PYTHONPATH="$PWD/src:/tmp/site"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import torch, transformers, captum; print('torch', torch.__version__, 'transformers', transformers.__version__, 'captum', captum.__version__, torch.cuda.get_device_name())"
python3 experiments/faithfulness/gpu/device.py run --bundle .gpu --out "${OUT:-/tmp/out}" --deadline "${DEADLINE:-400}"
