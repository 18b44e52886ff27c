//! The live probe: one tiny streaming `POST /responses`, read as server-sent events up to
//! `response.completed`.
//!
//! Boundary: the request body and the event stream; sending and classifying is the client's.

use std::time::Instant;

use reqwest::Method;

use super::client::Client;
use super::error::{bad, ApiError};
use super::lenient::Obj;
use super::wire::{Event, ProbeResult};

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
        // The whole stream counts against the size cap, and the deadline.
        let mut stream = self.body(response, deadline)?;
        let mut lines = Lines::default();
        let mut result = ProbeResult {
            response_id: None,
            text: String::new(),
        };
        loop {
            let more = stream
                .read_into(&mut lines.buffer)
                .await
                .map_err(|e| self.body_error(e))?;
            if !more {
                return Err(bad("the stream ended before `response.completed`"));
            }
            while let Some(line) = lines.next_line() {
                let Some(data) = line.trim_end().strip_prefix("data:") else {
                    continue;
                };
                let data = data.trim();
                if data.is_empty() || data == "[DONE]" {
                    continue;
                }
                let event: Event = serde_json::from_str::<Obj<Event>>(data)
                    .map_err(|e| bad(&format!("an event that is not JSON ({e})")))?
                    .0
                    .unwrap_or_default();
                match event.kind.0.as_deref() {
                    Some("response.output_text.delta") => {
                        if let Some(delta) = event.delta.0 {
                            result.text.push_str(&delta);
                        }
                    }
                    Some("response.completed") => {
                        result.response_id = event.response.0.and_then(|r| r.id.0);
                        return Ok(self.scrubber().probe(result));
                    }
                    Some("response.failed") | Some("error") => {
                        let message = event
                            .response
                            .0
                            .and_then(|r| r.error.0)
                            .and_then(|e| e.message.0)
                            .or_else(|| event.error.0.and_then(|e| e.message.0))
                            .or(event.message.0)
                            .unwrap_or_else(|| "the response failed".to_string());
                        return Err(bad(&format!(
                            "the stream reported an error: {}",
                            self.clean(&message)
                        )));
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Splits a byte stream into complete lines in time linear in its length (a line that never
/// ends is scanned once, not once per chunk).
///
/// Bytes, not text: a chunk may end inside a multi-byte character, so a line is decoded only
/// once it is complete.
#[derive(Debug, Default)]
struct Lines {
    /// Received bytes; those before `start` are already handed out.
    buffer: Vec<u8>,
    start: usize,
    /// Where the search for the next `\n` resumes.
    scanned: usize,
}

impl Lines {
    /// The next complete line, without its `\n`; `None` until more bytes arrive.
    fn next_line(&mut self) -> Option<String> {
        let from = self.scanned.max(self.start);
        match self.buffer[from..].iter().position(|b| *b == b'\n') {
            Some(at) => {
                let end = from + at;
                let line = String::from_utf8_lossy(&self.buffer[self.start..end]).into_owned();
                self.start = end + 1;
                self.scanned = self.start;
                Some(line)
            }
            None => {
                // Only the unfinished line stays.
                self.buffer.drain(..self.start);
                self.start = 0;
                self.scanned = self.buffer.len();
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_whole_across_chunks_and_multibyte_characters() {
        let mut lines = Lines::default();
        let text = "data: d\u{e9}j\u{e0}\n\ndata: ok\n".as_bytes();
        let cut = text.iter().position(|&b| b == 0xC3).unwrap() + 1;
        lines.buffer.extend_from_slice(&text[..cut]);
        assert_eq!(lines.next_line(), None);
        lines.buffer.extend_from_slice(&text[cut..]);
        assert_eq!(lines.next_line().as_deref(), Some("data: d\u{e9}j\u{e0}"));
        assert_eq!(lines.next_line().as_deref(), Some(""));
        assert_eq!(lines.next_line().as_deref(), Some("data: ok"));
        assert_eq!(lines.next_line(), None);
        assert!(lines.buffer.is_empty(), "handed-out bytes are dropped");
    }

    #[test]
    fn an_unfinished_line_is_kept_and_scanned_once() {
        let mut lines = Lines::default();
        lines.buffer.extend_from_slice(b"abc");
        assert_eq!(lines.next_line(), None);
        assert_eq!(lines.scanned, 3);
        lines.buffer.extend_from_slice(b"def\nx");
        assert_eq!(lines.next_line().as_deref(), Some("abcdef"));
        assert_eq!(lines.next_line(), None);
        assert_eq!(lines.buffer, b"x");
    }
}
