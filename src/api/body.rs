//! Reading an answer's body within a size cap and a deadline, chunk by chunk, so a body that
//! never ends (or never stops dripping) costs at most [`MAX_BODY_BYTES`] of memory and the
//! call's timeout.
//!
//! Boundary: bytes in, bytes out; what a failure becomes ([`super::ApiError`]) is the client's
//! decision.

use std::time::Instant;

/// The most any one answer may hold: a catalogue of a few MiB is normal, 64 MiB is not.
pub const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

/// Why a body could not be read whole.
#[derive(Debug)]
pub(super) enum BodyError {
    /// More than the cap (announced by `content-length`, or read).
    TooLarge,
    /// The deadline passed first.
    Timeout,
    /// The connection failed.
    Transport(reqwest::Error),
}

/// A response body read under a cap and a deadline.
pub(super) struct BodyReader {
    response: reqwest::Response,
    deadline: Instant,
    limit: u64,
    read: u64,
}

impl BodyReader {
    /// Starts reading `response`; an announced length over `limit` fails at once, before any
    /// byte is read.
    pub(super) fn new(
        response: reqwest::Response,
        deadline: Instant,
        limit: u64,
    ) -> Result<Self, BodyError> {
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(BodyError::TooLarge);
        }
        Ok(Self {
            response,
            deadline,
            limit,
            read: 0,
        })
    }

    /// Appends the next chunk to `buffer`; `false` at the end of the body.
    pub(super) async fn read_into(&mut self, buffer: &mut Vec<u8>) -> Result<bool, BodyError> {
        let chunk = tokio::time::timeout_at(self.deadline.into(), self.response.chunk())
            .await
            .map_err(|_| BodyError::Timeout)?
            .map_err(|e| {
                if e.is_timeout() {
                    BodyError::Timeout
                } else {
                    BodyError::Transport(e)
                }
            })?;
        let Some(chunk) = chunk else {
            return Ok(false);
        };
        self.read += chunk.len() as u64;
        if self.read > self.limit {
            return Err(BodyError::TooLarge);
        }
        buffer.extend_from_slice(&chunk);
        Ok(true)
    }

    /// The whole body.
    pub(super) async fn read_all(mut self) -> Result<Vec<u8>, BodyError> {
        let mut body = Vec::new();
        while self.read_into(&mut body).await? {}
        Ok(body)
    }
}
