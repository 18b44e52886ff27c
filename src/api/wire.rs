//! The JSON shapes of the API, as mg-codex reads them: the key's status, models, the error body,
//! the probe's events, and the outcome types of a lookup and of the probe.
//!
//! Every field may be missing, null or of another type (it reads as absent); unknown fields are
//! skipped without being kept, and a catalogue lists at most [`MAX_MODELS`] models, so an
//! answer takes about its own size in memory, never a tree of it (`lenient`).
//!
//! Boundary: pure parsing; no HTTP.

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use super::error::{bad, ApiError};
use super::lenient::{Bool, Code, List, Num, Obj, Str};

/// The most models a catalogue may list: a real one lists hundreds.
pub const MAX_MODELS: usize = 100_000;
/// The most `supported_parameters` kept for one model.
const MAX_PARAMETERS: usize = 1_000;
/// The most input modalities kept for one model.
const MAX_MODALITIES: usize = 100;

/// `GET /key`: the key's own status. Every field may be missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KeyInfo {
    /// Already masked by the server; safe to print.
    pub label: Option<String>,
    pub limit: Option<f64>,
    pub limit_remaining: Option<f64>,
    pub limit_reset: Option<String>,
    pub usage: Option<f64>,
    pub is_free_tier: Option<bool>,
    pub is_management_key: Option<bool>,
    /// ISO-8601.
    pub expires_at: Option<String>,
}

/// One model of the catalogue.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Model {
    pub id: String,
    pub name: Option<String>,
    pub context_length: Option<u64>,
    /// USD per token, as the API gives it.
    pub prompt_price: Option<f64>,
    pub completion_price: Option<f64>,
    pub supported_parameters: Vec<String>,
    pub expiration_date: Option<String>,
    /// What the catalogue says of the model (free text from the server).
    pub description: Option<String>,
    /// `architecture.input_modalities` (`text`, `image`, `file`, ...); empty when not given.
    pub input_modalities: Vec<String>,
}

impl Model {
    pub fn supports(&self, parameter: &str) -> bool {
        self.supported_parameters.iter().any(|p| p == parameter)
    }

    /// Whether the model supports `parameter`; `None` when the catalogue lists no parameters at
    /// all (it does not say).
    pub fn supports_known(&self, parameter: &str) -> Option<bool> {
        (!self.supported_parameters.is_empty()).then(|| self.supports(parameter))
    }

    /// USD per million prompt tokens; `None` when missing or negative (a price that varies).
    pub fn prompt_per_million(&self) -> Option<f64> {
        self.prompt_price.and_then(per_million)
    }

    /// USD per million completion tokens; `None` when missing or negative.
    pub fn completion_per_million(&self) -> Option<f64> {
        self.completion_price.and_then(per_million)
    }
}

/// A per-token price as USD per million tokens, rounded to a millionth of a dollar (so the
/// binary error of `0.00000175 * 1e6` does not show). Negative prices (the gateway's "varies")
/// and non-finite ones are `None`.
pub fn per_million(per_token: f64) -> Option<f64> {
    let exact = per_token * 1e6;
    let rounded = (per_token * 1e12).round() / 1e6;
    // A price too small to show is still not free.
    let value = if rounded == 0.0 { exact } else { rounded };
    (value.is_finite() && value >= 0.0).then_some(value + 0.0)
}

/// What looking up one id found.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found(Model),
    /// Neither `GET /model/{id}` nor the catalogue knows it; the catalogue is kept for
    /// suggestions.
    Missing {
        message: String,
        catalogue: Vec<Model>,
    },
}

impl Lookup {
    /// A lookup's outcome as a model or an error (`NotFound` for a missing one), with the
    /// catalogue it already fetched for a missing one (for "did you mean").
    pub fn split(
        outcome: Result<Lookup, ApiError>,
    ) -> (Result<Model, ApiError>, Option<Vec<Model>>) {
        match outcome {
            Ok(Lookup::Found(model)) => (Ok(model), None),
            Ok(Lookup::Missing { message, catalogue }) => {
                (Err(ApiError::NotFound { message }), Some(catalogue))
            }
            Err(e) => (Err(e), None),
        }
    }
}

/// What the live probe saw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeResult {
    /// The `id` of `response.completed`.
    pub response_id: Option<String>,
    /// Text of the answer, when the stream carried any.
    pub text: String,
}

/// `{"error": {"code": 401 | "invalid_prompt", "message": "..."}}` → a short message.
pub fn error_message(body: &str, status: StatusCode) -> String {
    #[derive(Default, Deserialize)]
    #[serde(default)]
    struct ErrorBody {
        error: Obj<ErrorFields>,
    }
    #[derive(Default, Deserialize)]
    #[serde(default)]
    struct ErrorFields {
        code: Code,
        message: Str,
    }
    let error = serde_json::from_str::<Obj<ErrorBody>>(body)
        .ok()
        .and_then(|b| b.0)
        .and_then(|b| b.error.0)
        .unwrap_or_default();
    match (error.message.0, error.code.0) {
        (Some(m), Some(c)) if c != status.as_u16().to_string() => format!("{m} (code {c})"),
        (Some(m), _) => m,
        (None, Some(c)) => format!("code {c}"),
        (None, None) => status
            .canonical_reason()
            .unwrap_or("no error message")
            .to_string(),
    }
}

/// `{"data": …}`.
#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct Data<T: Default> {
    data: T,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct RawKey {
    label: Str,
    limit: Num,
    limit_remaining: Num,
    limit_reset: Str,
    usage: Num,
    is_free_tier: Bool,
    is_management_key: Bool,
    expires_at: Str,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct RawPricing {
    prompt: Num,
    completion: Num,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct RawArchitecture {
    input_modalities: List<Str, MAX_MODALITIES>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct RawModel {
    id: Str,
    name: Str,
    description: Str,
    context_length: Num,
    architecture: Obj<RawArchitecture>,
    pricing: Obj<RawPricing>,
    supported_parameters: List<Str, MAX_PARAMETERS>,
    expiration_date: Str,
}

/// The answer of `GET /key`.
pub(crate) type KeyBody = Obj<Data<Obj<RawKey>>>;
/// The answer of `GET /models`.
pub(crate) type CatalogueBody = Obj<Data<List<Obj<RawModel>, MAX_MODELS>>>;
/// The answer of `GET /model/{id}`.
pub(crate) type ModelBody = Obj<Data<Obj<RawModel>>>;

pub(crate) fn key_info(body: KeyBody) -> Result<KeyInfo, ApiError> {
    let data = body
        .0
        .and_then(|b| b.data.0)
        .ok_or_else(|| bad("`/key` has no `data` object"))?;
    Ok(KeyInfo {
        label: data.label.0,
        limit: data.limit.0,
        limit_remaining: data.limit_remaining.0,
        limit_reset: data.limit_reset.0,
        usage: data.usage.0,
        is_free_tier: data.is_free_tier.0,
        is_management_key: data.is_management_key.0,
        expires_at: data.expires_at.0,
    })
}

pub(crate) fn catalogue(body: CatalogueBody) -> Result<Vec<Model>, ApiError> {
    let list = body.0.map(|b| b.data).unwrap_or_default();
    if list.more {
        return Err(bad(&format!(
            "`/models` lists more than {MAX_MODELS} models"
        )));
    }
    list.items
        .ok_or_else(|| bad("`/models` has no `data` array"))?
        .into_iter()
        .map(|m| model(m.0))
        .collect()
}

pub(crate) fn one_model(body: ModelBody) -> Result<Model, ApiError> {
    let data = body
        .0
        .and_then(|b| b.data.0)
        .ok_or_else(|| bad("`/model` has no `data` object"))?;
    model(Some(data))
}

fn model(raw: Option<RawModel>) -> Result<Model, ApiError> {
    let raw = raw.unwrap_or_default();
    let id = raw
        .id
        .0
        .ok_or_else(|| bad("a model without a string `id`"))?;
    let pricing = raw.pricing.0.unwrap_or_default();
    let strings = |list: Option<Vec<Str>>| -> Vec<String> {
        list.unwrap_or_default()
            .into_iter()
            .filter_map(|s| s.0)
            .collect()
    };
    Ok(Model {
        id,
        name: raw.name.0,
        context_length: raw.context_length.0.map(|n| n as u64),
        prompt_price: pricing.prompt.0,
        completion_price: pricing.completion.0,
        supported_parameters: strings(raw.supported_parameters.items),
        expiration_date: raw.expiration_date.0,
        description: raw.description.0,
        input_modalities: strings(
            raw.architecture
                .0
                .unwrap_or_default()
                .input_modalities
                .items,
        ),
    })
}

/// One server-sent event of the probe's stream (`data: {…}`), as far as it is read.
#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct Event {
    #[serde(rename = "type")]
    pub kind: Str,
    pub delta: Str,
    pub response: Obj<EventResponse>,
    pub error: Obj<ErrorText>,
    pub message: Str,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct EventResponse {
    pub id: Str,
    pub error: Obj<ErrorText>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct ErrorText {
    pub message: Str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(id: &str) -> Model {
        Model {
            id: id.into(),
            ..Model::default()
        }
    }

    #[test]
    fn prices_per_million_are_exact_and_unknown_when_negative() {
        assert_eq!(per_million(0.00000175), Some(1.75));
        assert_eq!(per_million(0.000001125), Some(1.125));
        assert_eq!(per_million(0.000000028), Some(0.028));
        assert_eq!(per_million(0.0), Some(0.0));
        assert_eq!(per_million(-1.0), None);
        assert_eq!(per_million(f64::NAN), None);
        // Too small to round to a millionth of a dollar, but not free.
        assert!(per_million(1e-15).is_some_and(|p| p > 0.0));
        let m = Model {
            prompt_price: Some(0.000003),
            ..model("a/b")
        };
        assert_eq!(m.prompt_per_million(), Some(3.0));
        assert_eq!(m.completion_per_million(), None);
    }

    #[test]
    fn support_is_unknown_when_no_parameter_is_listed() {
        assert_eq!(model("a/b").supports_known("tools"), None);
        let m = Model {
            supported_parameters: vec!["tools".into()],
            ..model("a/b")
        };
        assert_eq!(m.supports_known("tools"), Some(true));
        assert_eq!(m.supports_known("reasoning"), Some(false));
    }

    #[test]
    fn error_codes_may_be_numbers_or_strings() {
        let m = error_message(
            r#"{"error":{"code":"invalid_prompt","message":"bad"}}"#,
            StatusCode::BAD_REQUEST,
        );
        assert_eq!(m, "bad (code invalid_prompt)");
        let m = error_message(
            r#"{"error":{"code":401,"message":"User not found."}}"#,
            StatusCode::UNAUTHORIZED,
        );
        assert_eq!(m, "User not found.");
        assert_eq!(
            error_message("<html>", StatusCode::BAD_GATEWAY),
            "Bad Gateway"
        );
    }

    #[test]
    fn key_info_tolerates_missing_and_null_fields() {
        let read = |json: &str| key_info(serde_json::from_str(json).unwrap());
        let info = read(r#"{"data": {"label": null, "limit": 25.0, "extra": 1}}"#).unwrap();
        assert_eq!(info.limit, Some(25.0));
        assert_eq!(info.label, None);
        assert!(read(r#"{"data": []}"#).is_err());
        assert!(read(r#"[]"#).is_err());
    }

    #[test]
    fn models_are_read_leniently_and_a_catalogue_is_bounded() {
        let read = |json: &str| catalogue(serde_json::from_str(json).unwrap());
        let models = read(
            r#"{"data": [{"id": "a/b", "name": 7, "context_length": "4096",
                "pricing": "free", "supported_parameters": ["tools", 1, null, "reasoning"]}]}"#,
        )
        .unwrap();
        assert_eq!(models[0].id, "a/b");
        assert_eq!(models[0].name, None);
        assert_eq!(models[0].context_length, Some(4096));
        assert_eq!(models[0].prompt_price, None);
        assert_eq!(models[0].supported_parameters, ["tools", "reasoning"]);
        assert!(models[0].input_modalities.is_empty());
        let models = read(
            r#"{"data": [{"id": "a/b", "description": "Fast.",
                "architecture": {"input_modalities": ["text", 3, "image"]}}]}"#,
        )
        .unwrap();
        assert_eq!(models[0].description.as_deref(), Some("Fast."));
        assert_eq!(models[0].input_modalities, ["text", "image"]);
        assert!(read(r#"{"data": [{"name": "no id"}]}"#).is_err());
        assert!(read(r#"{"data": [1]}"#).is_err());
        assert!(read(r#"{"data": {"id": "x"}}"#).is_err());
        let too_many = format!(
            r#"{{"data": [{}{{"id":"x"}}]}}"#,
            r#"{"id":"x"},"#.repeat(MAX_MODELS)
        );
        let err = read(&too_many).unwrap_err();
        assert!(err.to_string().contains("more than 100000 models"), "{err}");
    }
}
