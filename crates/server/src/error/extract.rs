//! Extractors whose rejections are problem documents with the same shape as every other error,
//! where axum's own `Json` and `Path` answer plain text: a JSON body names the field that is
//! wrong (a JSON path), a path segment that does not decode says how to encode it.

use axum::http::{StatusCode, header};

use super::{ApiError, ErrorCode};

/// A path parameters extractor whose rejections (a segment that is not UTF-8 once decoded, …)
/// are problem documents, where axum's own `Path` answers plain text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) if rejection.status().is_server_error() => {
                Err(ApiError::internal(rejection.body_text()))
            }
            Err(rejection) => Err(ApiError::bad_request(format!(
                "{}; percent-encode ids and names as UTF-8",
                rejection.body_text()
            ))),
        }
    }
}

/// A JSON body extractor whose rejections are problem documents naming what is wrong. An empty
/// body is refused.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

/// As [`JsonBody`], but an empty body reads as `{}` (an action without input).
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonOrEmpty<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        read_json(req, state, false).await.map(JsonBody)
    }
}

impl<T, S> axum::extract::FromRequest<S> for JsonOrEmpty<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        read_json(req, state, true).await.map(JsonOrEmpty)
    }
}

async fn read_json<T, S>(
    req: axum::extract::Request,
    state: &S,
    empty_is_object: bool,
) -> Result<T, ApiError>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    use axum::extract::FromRequest as _;
    {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json") || v.ends_with("+json")
            });
        if is_json == Some(false) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Unsupported media type",
                "the body must be JSON (Content-Type: application/json)",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        ErrorCode::PayloadTooLarge,
                        "The request body is too large",
                        rejection.body_text(),
                    )
                } else {
                    ApiError::bad_request(rejection.body_text())
                }
            })?;
        let value = if bytes.is_empty() && empty_is_object {
            serde_json::Value::Object(serde_json::Map::new())
        } else if bytes.is_empty() {
            return Err(ApiError::bad_request(
                "the body is empty: send a JSON object (Content-Type: application/json)",
            ));
        } else {
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?
        };
        if !value.is_object() {
            return Err(ApiError::invalid_field(
                "body",
                format!("expected a JSON object, got {}", json_kind(&value)),
            ));
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let message = e.into_inner().to_string();
            ApiError::invalid_field(field_path(&path, &message), message)
        })
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The path of the field a body deserialization error is about: serde reports an unknown or
/// missing field at the object holding it (`.` for the body itself), so the field's name, quoted
/// in the message, is appended.
fn field_path(path: &str, message: &str) -> String {
    let field = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| field);
    match (path, field) {
        (".", Some(field)) => field.to_owned(),
        (".", None) => "body".to_owned(),
        (path, Some(field)) if path != field && !path.ends_with(&format!(".{field}")) => {
            format!("{path}.{field}")
        }
        (path, _) => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::field_path;

    #[test]
    fn body_errors_name_the_field() {
        assert_eq!(field_path(".", "missing field `name`"), "name");
        assert_eq!(field_path(".", "invalid type: sequence"), "body");
        assert_eq!(
            field_path("colour", "unknown field `colour`, expected `name`"),
            "colour"
        );
        assert_eq!(
            field_path("auth", "unknown field `colour`, expected `token`"),
            "auth.colour"
        );
        assert_eq!(field_path("auth", "missing field `kind`"), "auth.kind");
        assert_eq!(
            field_path("auth.token", "invalid type: integer `5`"),
            "auth.token"
        );
    }
}
