//! A BERT encoder (the architecture of all-MiniLM-L6-v2) over candle: token,
//! position and type embeddings, then self-attention layers. Only the
//! forward pass an embedding needs; weights load by their Hugging Face names.

use candle_core::{D, DType, Module, Result, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, VarBuilder};
use serde::Deserialize;

/// The fields of a Hugging Face `config.json` the encoder reads.
#[derive(Debug, Clone, Deserialize)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
}

fn default_eps() -> f64 {
    1e-12
}

struct Layer {
    /// Query, key and value in one projection.
    qkv: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    out: Linear,
    out_norm: LayerNorm,
}

pub struct Bert {
    words: Embedding,
    positions: Embedding,
    types: Embedding,
    norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
    head_dim: usize,
    pub max_positions: usize,
}

fn linear(vb: &VarBuilder, inputs: usize, outputs: usize) -> Result<Linear> {
    Ok(Linear::new(vb.get((outputs, inputs), "weight")?, Some(vb.get(outputs, "bias")?)))
}

fn layer_norm(vb: &VarBuilder, size: usize, eps: f64) -> Result<LayerNorm> {
    Ok(LayerNorm::new(vb.get(size, "weight")?, vb.get(size, "bias")?, eps))
}

impl Bert {
    pub fn load(vb: &VarBuilder, config: &BertConfig) -> Result<Bert> {
        let h = config.hidden_size;
        let eps = config.layer_norm_eps;
        let e = vb.pp("embeddings");
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for i in 0..config.num_hidden_layers {
            let l = vb.pp(format!("encoder.layer.{i}"));
            let a = l.pp("attention");
            let parts: Vec<Linear> = ["query", "key", "value"]
                .iter()
                .map(|name| linear(&a.pp("self").pp(name), h, h))
                .collect::<Result<_>>()?;
            let weight = Tensor::cat(&parts.iter().map(|p| p.weight().clone()).collect::<Vec<_>>(), 0)?;
            let bias = Tensor::cat(&parts.iter().filter_map(|p| p.bias().cloned()).collect::<Vec<_>>(), 0)?;
            layers.push(Layer {
                qkv: Linear::new(weight, Some(bias)),
                attention_out: linear(&a.pp("output.dense"), h, h)?,
                attention_norm: layer_norm(&a.pp("output.LayerNorm"), h, eps)?,
                intermediate: linear(&l.pp("intermediate.dense"), h, config.intermediate_size)?,
                out: linear(&l.pp("output.dense"), config.intermediate_size, h)?,
                out_norm: layer_norm(&l.pp("output.LayerNorm"), h, eps)?,
            });
        }
        Ok(Bert {
            words: Embedding::new(e.get((config.vocab_size, h), "word_embeddings.weight")?, h),
            positions: Embedding::new(e.get((config.max_position_embeddings, h), "position_embeddings.weight")?, h),
            types: Embedding::new(e.get((config.type_vocab_size, h), "token_type_embeddings.weight")?, h),
            norm: layer_norm(&e.pp("LayerNorm"), h, eps)?,
            layers,
            heads: config.num_attention_heads,
            head_dim: h / config.num_attention_heads.max(1),
            max_positions: config.max_position_embeddings,
        })
    }

    /// Hidden states `[batch, tokens, hidden]` for token ids `[batch, tokens]`
    /// and an attention mask of 1 (token) and 0 (padding).
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (batch, tokens) = ids.dims2()?;
        let positions =
            Tensor::arange(0u32, tokens as u32, ids.device())?.unsqueeze(0)?.broadcast_as((batch, tokens))?;
        let types = ids.zeros_like()?;
        let embedded = (self.words.forward(ids)? + self.positions.forward(&positions)?)?;
        let mut hidden = self.norm.forward(&(embedded + self.types.forward(&types)?)?)?;
        // 0 where attended, a large negative number at padding.
        let bias = ((mask.to_dtype(DType::F32)? - 1.0)? * 1e9)?.reshape((batch, 1, 1, tokens))?;
        for layer in &self.layers {
            hidden = self.layer(layer, &hidden, &bias)?;
        }
        Ok(hidden)
    }

    fn layer(&self, layer: &Layer, hidden: &Tensor, bias: &Tensor) -> Result<Tensor> {
        let (batch, tokens, size) = hidden.dims3()?;
        let qkv = layer.qkv.forward(hidden)?.reshape((batch, tokens, 3, self.heads, self.head_dim))?;
        let part = |i: usize| qkv.narrow(2, i, 1)?.squeeze(2)?.transpose(1, 2)?.contiguous();
        let (q, k, v) = (part(0)?, part(1)?, part(2)?);
        let scores = (q.matmul(&k.t()?)? / (self.head_dim as f64).sqrt())?.broadcast_add(bias)?;
        let weights = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = weights.matmul(&v)?.transpose(1, 2)?.reshape((batch, tokens, size))?;
        let attended = layer.attention_norm.forward(&(layer.attention_out.forward(&context)? + hidden)?)?;
        let inner = layer.intermediate.forward(&attended)?.gelu_erf()?;
        layer.out_norm.forward(&(layer.out.forward(&inner)? + attended)?)
    }
}

/// Mean of the hidden states over real tokens, scaled to unit length: one vector per text.
pub fn mean_pool_normalized(hidden: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
    let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
    let counts = mask.sum(1)?.clamp(1.0, f64::MAX)?;
    let mean = summed.broadcast_div(&counts)?;
    let norm = mean.sqr()?.sum_keepdim(D::Minus1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
    mean.broadcast_div(&norm)
}
