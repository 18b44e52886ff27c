//! The JSON shapes of the API, as mg-codex reads them: the key's status, models, the error body,
//! and the outcome types of a lookup and of the probe.
//!
//! Boundary: pure parsing of `serde_json::Value`s (every field may be missing; unknown fields
//! are ignored); no HTTP.

use reqwest::StatusCode;
use serde::Serialize;
use serde_json::Value;

use super::error::{bad, ApiError};

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
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    let message = error
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let code = error.and_then(|e| e.get("code")).and_then(|c| match c {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    match (message, code) {
        (Some(m), Some(c)) if c != status.as_u16().to_string() => format!("{m} (code {c})"),
        (Some(m), _) => m,
        (None, Some(c)) => format!("code {c}"),
        (None, None) => status
            .canonical_reason()
            .unwrap_or("no error message")
            .to_string(),
    }
}

pub(crate) fn parse_key_info(body: &Value) -> Result<KeyInfo, ApiError> {
    let data = body
        .get("data")
        .filter(|d| d.is_object())
        .ok_or_else(|| bad("`/key` has no `data` object"))?;
    let s = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_string);
    let f = |k: &str| data.get(k).and_then(number);
    let b = |k: &str| data.get(k).and_then(Value::as_bool);
    Ok(KeyInfo {
        label: s("label"),
        limit: f("limit"),
        limit_remaining: f("limit_remaining"),
        limit_reset: s("limit_reset"),
        usage: f("usage"),
        is_free_tier: b("is_free_tier"),
        is_management_key: b("is_management_key"),
        expires_at: s("expires_at"),
    })
}

pub(crate) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

pub(crate) fn parse_model(v: &Value) -> Result<Model, ApiError> {
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("a model without a string `id`"))?;
    let pricing = v.get("pricing");
    Ok(Model {
        id: id.to_string(),
        name: v.get("name").and_then(Value::as_str).map(str::to_string),
        context_length: v.get("context_length").and_then(number).map(|n| n as u64),
        prompt_price: pricing.and_then(|p| p.get("prompt")).and_then(number),
        completion_price: pricing.and_then(|p| p.get("completion")).and_then(number),
        supported_parameters: v
            .get("supported_parameters")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        expiration_date: v
            .get("expiration_date")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
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
        let info = parse_key_info(
            &serde_json::json!({"data": {"label": null, "limit": 25.0, "extra": 1}}),
        )
        .unwrap();
        assert_eq!(info.limit, Some(25.0));
        assert_eq!(info.label, None);
        assert!(parse_key_info(&serde_json::json!({"data": []})).is_err());
    }
}
