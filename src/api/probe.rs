//! The live probe: one tiny streaming `POST /responses`, read as server-sent events up to
//! `response.completed`.
//!
//! Boundary: the request body and the event stream; sending and classifying is the client's.

use std::time::Instant;

use reqwest::Method;
use serde_json::Value;

use super::client::Client;
use super::error::{bad, ApiError};
use super::wire::ProbeResult;

impl Client {
    /// `POST /responses` with a one-word streaming request; reads the stream to
    /// `response.completed`.
    pub async fn probe(&self, model: &str, effort: Option<&str>) -> Result<ProbeResult, ApiError> {
        let mut body = serde_json::json!({
            "model": model,
            "input": "Reply with the single word: ok",
            "stream": true,
            "store": false,
            "max_output_tokens": 16,
        });
        if let Some(effort) = effort {
            body["reasoning"] = serde_json::json!({ "effort": effort });
        }
        let deadline = Instant::now() + self.timeout;
        let response = self
            .send(Method::POST, "responses", Some(&body), deadline)
            .await?;
        let mut response = response;
        // Bytes, not text: a chunk may end inside a multi-byte character. Lines are decoded
        // only once complete.
        let mut buffer: Vec<u8> = Vec::new();
        let mut result = ProbeResult {
            response_id: None,
            text: String::new(),
        };
        loop {
            let chunk = tokio::time::timeout_at(deadline.into(), response.chunk())
                .await
                .map_err(|_| self.unreachable_timeout())?
                .map_err(|e| self.transport_error(&e))?;
            let Some(chunk) = chunk else {
                return Err(bad("the stream ended before `response.completed`"));
            };
            buffer.extend_from_slice(&chunk);
            while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
                let raw: Vec<u8> = buffer.drain(..=end).collect();
                let line = String::from_utf8_lossy(&raw);
                let Some(data) = line.trim_end().strip_prefix("data:") else {
                    continue;
                };
                let data = data.trim();
                if data.is_empty() || data == "[DONE]" {
                    continue;
                }
                let event: Value = serde_json::from_str(data)
                    .map_err(|e| bad(&format!("an event that is not JSON ({e})")))?;
                match event.get("type").and_then(Value::as_str) {
                    Some("response.output_text.delta") => {
                        if let Some(delta) = event.get("delta").and_then(Value::as_str) {
                            result.text.push_str(delta);
                        }
                    }
                    Some("response.completed") => {
                        result.response_id = event
                            .pointer("/response/id")
                            .and_then(Value::as_str)
                            .map(str::to_string);
                        return Ok(result);
                    }
                    Some("response.failed") | Some("error") => {
                        let message = event
                            .pointer("/response/error/message")
                            .or_else(|| event.pointer("/error/message"))
                            .or_else(|| event.get("message"))
                            .and_then(Value::as_str)
                            .unwrap_or("the response failed");
                        return Err(bad(&format!(
                            "the stream reported an error: {}",
                            self.clean(message)
                        )));
                    }
                    _ => {}
                }
            }
        }
    }
}
