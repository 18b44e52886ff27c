//! Everything a server sent, made safe to show before the client hands it out: the key that
//! was sent (exactly, and trimmed) and every other key-shaped token are masked in every string
//! of the key's status, of the catalogue, of the probe's answer and of every error message, so
//! no caller can print a key a server echoed. One masking style: [`crate::secret::mask`]
//! (`sk-mg-…9f2c`).
//!
//! The key's label is a special case: the gateway sends it masked already
//! (`sk-mg-v1-ab3...9f2`); when it holds anything key-like instead, it is replaced whole by the
//! mask of the key that was sent.
//!
//! Boundary: pure; the client applies it to every answer it parses.

use super::wire::{KeyInfo, Model, ProbeResult};
use crate::secret::{holds_key, scrub_all, ApiKey};

/// Scrubs with the key that was sent (if any) in mind.
#[derive(Clone, Copy)]
pub(super) struct Scrubber<'a> {
    pub key: Option<&'a ApiKey>,
}

impl Scrubber<'_> {
    fn secret(&self) -> Option<&str> {
        self.key.map(ApiKey::expose)
    }

    pub(super) fn text(&self, text: &str) -> String {
        scrub_all(text, self.secret())
    }

    fn option(&self, text: Option<String>) -> Option<String> {
        text.map(|t| self.text(&t))
    }

    pub(super) fn key_info(&self, info: KeyInfo) -> KeyInfo {
        let label =
            info.label.map(
                |label| match self.key.filter(|_| holds_key(&label, self.secret())) {
                    Some(key) => key.masked(),
                    None => self.text(&label),
                },
            );
        KeyInfo {
            label,
            limit_reset: self.option(info.limit_reset),
            expires_at: self.option(info.expires_at),
            ..info
        }
    }

    pub(super) fn model(&self, model: Model) -> Model {
        Model {
            id: self.text(&model.id),
            name: self.option(model.name),
            expiration_date: self.option(model.expiration_date),
            description: self.option(model.description),
            input_modalities: model
                .input_modalities
                .iter()
                .map(|m| self.text(m))
                .collect(),
            ..model
        }
    }

    pub(super) fn probe(&self, result: ProbeResult) -> ProbeResult {
        ProbeResult {
            response_id: self.option(result.response_id),
            text: self.text(&result.text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-mg-v1-0123456789abcdef0123456789abcdef9f2c";

    #[test]
    fn a_label_holding_a_key_becomes_the_mask_of_the_key_sent() {
        let key = ApiKey::parse(KEY).unwrap();
        let scrub = Scrubber { key: Some(&key) };
        let label = |label: &str| {
            scrub
                .key_info(KeyInfo {
                    label: Some(label.into()),
                    ..KeyInfo::default()
                })
                .label
                .unwrap()
        };
        assert_eq!(label(KEY), "sk-mg-…9f2c");
        assert_eq!(label(&format!("  {KEY}\n")), "sk-mg-…9f2c");
        assert_eq!(
            label("my key sk-mg-v1-someoneelse0123456789"),
            "sk-mg-…9f2c"
        );
        assert_eq!(
            label("sk-mg-v1-ab3...9f2"),
            "sk-mg-v1-ab3...9f2",
            "masked by the gateway"
        );
        assert_eq!(label("CI key"), "CI key");
        let without_key = Scrubber { key: None }.key_info(KeyInfo {
            label: Some(format!("label {KEY}")),
            ..KeyInfo::default()
        });
        assert_eq!(without_key.label.as_deref(), Some("label sk-mg-…9f2c"));
    }

    #[test]
    fn every_string_of_a_model_is_scrubbed() {
        let key = ApiKey::parse(KEY).unwrap();
        let model = Scrubber { key: Some(&key) }.model(Model {
            id: format!("openai/{KEY}"),
            name: Some(format!("{KEY} and sk-mg-v1-another0123456789")),
            expiration_date: Some(KEY.into()),
            description: Some(format!("see {KEY}")),
            input_modalities: vec![KEY.into()],
            ..Model::default()
        });
        let shown = format!("{model:?}");
        assert!(!shown.contains("0123456789"), "{shown}");
        assert_eq!(model.id, "openai/sk-mg-…9f2c");
    }
}
