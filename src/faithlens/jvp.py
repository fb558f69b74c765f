"""BERT-style classifiers written out by hand: their logits, and their forward-mode derivative.

Only the first position ([CLS] / <s>) of the last layer reaches the logits, so both functions
run the last layer's queries, feed-forward and norms for that one position (a sixth of MiniLM's
layer work). `logits` is the plain forward, differentiable by autograd; `ClassifierModel.logits`
uses it for every model `supports` accepts.

SIG's forward mode needs, at every path point, the derivative of the logits along one direction
in embedding space: a Jacobian-vector product (JVP). torch's forward-mode AD can do that, but on
CPU it cannot use the fused attention kernel, it materialises zero weight tangents, and it
dispatches every operation twice; measured on MiniLM it is slower than a reverse pass. This
module carries (primal, tangent) pairs through a BERT encoder with plain tensor operations:

    linear     y = x Wᵀ + b               ẏ = ẋ Wᵀ
    LayerNorm  x̂ = (x - μ)/σ              ẋ̂ = (ċ - x̂ · mean(x̂ ċ)) / σ,  ċ = ẋ - mean(ẋ)
    softmax    P = softmax(S)             Ṗ = P ⊙ (Ṡ - rowsum(P ⊙ Ṡ))
    attention  O = P V                    Ȯ = Ṗ V + P V̇
    GELU       g = x Φ(x)                 ġ = (Φ(x) + x φ(x)) ẋ
    pooler     p = tanh(h W + b)          ṗ = (1 - p²) ⊙ ḣ W

It reads the model's own weights and changes nothing in it. `supports` says which models it
covers (BERT, MiniLM and RoBERTa sequence classifiers with absolute positions and exact GELU);
every other model takes torch's forward-mode AD (`batching.jvps_along`), and the tests check that
both agree.
"""

from __future__ import annotations

import math
from typing import Protocol

import torch
import torch.nn.functional as F
from torch import Tensor


class HoldsNet(Protocol):
    """What this module reads of a classifier: its Hugging Face module in `.model` (`faithlens.model.ClassifierModel`
    is one). Declared here so that `jvp` imports nothing of faithlens and `model` can import it."""

    model: torch.nn.Module


# classifier class -> attribute holding its encoder
ENCODERS = {"BertForSequenceClassification": "bert", "RobertaForSequenceClassification": "roberta"}


def supports(model: HoldsNet) -> bool:
    """True when `logits_jvp` computes exactly what the model's own forward computes."""
    net, cfg = model.model, model.model.config
    return (
        type(net).__name__ in ENCODERS
        and getattr(cfg, "hidden_act", None) == "gelu"
        and getattr(cfg, "position_embedding_type", "absolute") == "absolute"
        and not getattr(cfg, "is_decoder", False)
        and not net.training
    )


def logits(
    model: HoldsNet,
    embeds: Tensor,
    attention_mask: Tensor,
    token_type_ids: Tensor | None = None,
    position_ids: Tensor | None = None,
) -> Tensor:
    """Class logits (R, C) of word embeddings (R, L, D); equal to the model's own forward."""
    kind, encoder, x = _embed(model, embeds, token_type_ids, position_ids)
    x = encoder.embeddings.LayerNorm(x)
    key_bias = _attention_bias(attention_mask, x.dtype)
    layers = list(encoder.encoder.layer)
    for layer in layers[:-1]:
        x = _plain_layer(layer, x, key_bias, queries=x.shape[1])
    h = _plain_layer(layers[-1], x, key_bias, queries=1)[:, 0]  # (R, D)
    if kind == "roberta":
        head = model.model.classifier
        return head.out_proj(torch.tanh(head.dense(h)))
    if encoder.pooler is not None:
        h = torch.tanh(encoder.pooler.dense(h))
    return model.model.classifier(h)


def _embed(model: HoldsNet, embeds: Tensor, token_type_ids, position_ids):
    """(encoder kind, encoder, word + type + position embeddings before the LayerNorm)."""
    net = model.model
    kind = ENCODERS[type(net).__name__]  # "bert" or "roberta": also the encoder's attribute name
    encoder = getattr(net, kind)
    R, L, _ = embeds.shape
    emb = encoder.embeddings
    if position_ids is None:  # what the model itself uses for inputs_embeds (RoBERTa counts from padding_idx + 1)
        offset = emb.padding_idx + 1 if kind == "roberta" else 0
        position_ids = torch.arange(offset, L + offset, device=embeds.device)[None]  # (1, L)
    if token_type_ids is None:
        token_type_ids = torch.zeros(R, L, dtype=torch.long, device=embeds.device)
    return kind, encoder, embeds + emb.token_type_embeddings(token_type_ids) + emb.position_embeddings(position_ids)


def _key_bias(attention_mask: Tensor, dtype: torch.dtype) -> Tensor:
    """(R, 1, 1, L): 0 on real keys, the dtype's minimum on padding, as the model adds it."""
    return (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


def _attention_bias(attention_mask: Tensor, dtype: torch.dtype) -> Tensor | None:
    """`_key_bias`, or None when no row has padding: the bias would add zeros, and without one the fused attention
    kernel skips reading it (the same numbers bit for bit; 1–3 % of a MiniLM pass on CPU)."""
    return None if bool(attention_mask.all()) else _key_bias(attention_mask, dtype)


def _plain_layer(layer: torch.nn.Module, x: Tensor, key_bias: Tensor | None, *, queries: int) -> Tensor:
    """One encoder layer for the first `queries` positions: (R, L, D) -> (R, queries, D)."""
    attn, sa = layer.attention, layer.attention.self
    R, L, D = x.shape
    H, hd = sa.num_attention_heads, sa.attention_head_size

    def heads(t: Tensor) -> Tensor:
        return t.view(R, t.shape[1], H, hd).transpose(1, 2)  # (R, H, L or Q, hd)

    o = F.scaled_dot_product_attention(heads(sa.query(x[:, :queries])), heads(sa.key(x)), heads(sa.value(x)),
                                       attn_mask=key_bias)  # (R, H, Q, hd)
    o = o.transpose(1, 2).reshape(R, queries, D)
    x1 = attn.output.LayerNorm(attn.output.dense(o) + x[:, :queries])
    return layer.output.LayerNorm(layer.output.dense(F.gelu(layer.intermediate.dense(x1))) + x1)


def logits_jvp(
    model: HoldsNet,
    embeds: Tensor,
    tangent: Tensor,
    attention_mask: Tensor,
    token_type_ids: Tensor | None = None,
    position_ids: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """Logits and their derivative along `tangent`: (R, L, D), (R, L, D) -> (R, C), (R, C)."""
    net = model.model
    kind, encoder, x = _embed(model, embeds, token_type_ids, position_ids)
    L = x.shape[1]
    x, dx = _layer_norm(x, tangent, encoder.embeddings.LayerNorm)  # (R, L, D)
    key_bias = _key_bias(attention_mask, x.dtype)
    layers = list(encoder.encoder.layer)
    for layer in layers[:-1]:
        x, dx = _encoder_layer(layer, x, dx, key_bias, queries=L)
    # Only the first position leaves the last layer: its queries, feed-forward and norms run on one position.
    x, dx = _encoder_layer(layers[-1], x, dx, key_bias, queries=1)  # (R, 1, D)
    h, dh = x[:, 0], dx[:, 0]  # (R, D)
    if kind == "roberta":  # head: dense, tanh, out_proj on <s>
        head = net.classifier
        h = torch.tanh(head.dense(h))
        dh = (1.0 - h * h) * F.linear(dh, head.dense.weight)
        return head.out_proj(h), F.linear(dh, head.out_proj.weight)
    if encoder.pooler is not None:  # BERT: pooler (dense, tanh) on [CLS], then the classifier
        h = torch.tanh(encoder.pooler.dense(h))
        dh = (1.0 - h * h) * F.linear(dh, encoder.pooler.dense.weight)
    return net.classifier(h), F.linear(dh, net.classifier.weight)


def _encoder_layer(layer: torch.nn.Module, x: Tensor, dx: Tensor, key_bias: Tensor, *, queries: int) -> tuple[Tensor, Tensor]:
    """One encoder layer for the first `queries` positions: (R, L, D) -> (R, queries, D)."""
    attn = layer.attention
    o, do = _self_attention(attn.self, x, dx, key_bias, queries)  # (R, Q, D)
    a, da = attn.output.dense(o), F.linear(do, attn.output.dense.weight)
    x1, dx1 = _layer_norm(a + x[:, :queries], da + dx[:, :queries], attn.output.LayerNorm)
    i = layer.intermediate.dense(x1)  # (R, Q, D_ff)
    di = F.linear(dx1, layer.intermediate.dense.weight)
    g, dg = F.gelu(i), torch.ops.aten.gelu_backward(di, i)  # GELU' is diagonal: its "backward" is the JVP
    out = layer.output
    y, dy = out.dense(g), F.linear(dg, out.dense.weight)
    return _layer_norm(y + x1, dy + dx1, out.LayerNorm)


def _self_attention(sa: torch.nn.Module, x: Tensor, dx: Tensor, key_bias: Tensor, queries: int) -> tuple[Tensor, Tensor]:
    R, L, D = x.shape
    H, hd = sa.num_attention_heads, sa.attention_head_size

    def heads(t: Tensor) -> Tensor:
        return t.view(R, t.shape[1], H, hd).transpose(1, 2)  # (R, H, L or Q, hd)

    q, dq = heads(sa.query(x[:, :queries])), heads(F.linear(dx[:, :queries], sa.query.weight))
    k, dk = heads(sa.key(x)), heads(F.linear(dx, sa.key.weight))
    v, dv = heads(sa.value(x)), heads(F.linear(dx, sa.value.weight))
    scale = 1.0 / math.sqrt(hd)
    p = torch.softmax(q @ k.transpose(-1, -2) * scale + key_bias, dim=-1)  # (R, H, Q, L)
    ds = (dq @ k.transpose(-1, -2) + q @ dk.transpose(-1, -2)) * scale  # (R, H, Q, L)
    dp = torch.ops.aten._softmax_backward_data(ds, p, -1, p.dtype)  # softmax' is symmetric: P ⊙ (Ṡ - rowsum(P ⊙ Ṡ))
    o, do = p @ v, dp @ v + p @ dv  # (R, H, Q, hd)
    merge = lambda t: t.transpose(1, 2).reshape(R, queries, D)  # noqa: E731  (R, H, Q, hd) -> (R, Q, D)
    return merge(o), merge(do)


def _layer_norm(x: Tensor, dx: Tensor, ln: torch.nn.LayerNorm) -> tuple[Tensor, Tensor]:
    """LayerNorm and its JVP. The Jacobian of (x - μ)/σ is symmetric, so its fused backward
    kernel, fed the tangent and no affine weight, returns the JVP; the weight is applied after."""
    shape = [x.shape[-1]]
    y, mean, rstd = torch.ops.aten.native_layer_norm(x, shape, ln.weight, ln.bias, ln.eps)
    dxhat = torch.ops.aten.native_layer_norm_backward(dx, x, shape, mean, rstd, None, None, [True, False, False])[0]
    return y, dxhat * ln.weight
