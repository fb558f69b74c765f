"""Audit whether gradient explanations can be trusted: the FACADE attack (Wang et al. 2020) and a
trust check for any model.

Flow: targets (stop words / first token, on ids) → facade (train g) → merge (f̃ = f + g) →
analyses (saliency manipulation, input reduction, HotFlip) → report (`faithlens audit`).
"""

from .facade import FacadeSettings, build_facade, facade_loss, regularise_target, train_facade
from .hotflip import HotFlipResult, hotflip
from .manipulation import DEFAULT_RUNS, Run, default_runs, explain_runs, manipulation_table, saliency_manipulation, target_metrics
from .merge import (MergedBertConfig, MergedBertForQuestionAnswering, MergedBertForSequenceClassification, SplitLayerNorm,
                    SumOfLogits, agreement, calibrate_gain, merge_models)
from .reduction import ReductionResult, input_reduction
from .report import AuditReport, audit
from .targets import stop_words, target_mask

__all__ = [
    "AuditReport", "DEFAULT_RUNS", "FacadeSettings", "HotFlipResult", "MergedBertConfig", "MergedBertForQuestionAnswering",
    "MergedBertForSequenceClassification",
    "ReductionResult", "Run", "SplitLayerNorm", "SumOfLogits", "agreement", "audit", "build_facade", "calibrate_gain",
    "default_runs", "explain_runs", "facade_loss", "hotflip", "input_reduction", "manipulation_table", "merge_models",
    "regularise_target", "saliency_manipulation", "stop_words", "target_mask", "target_metrics", "train_facade",
]
