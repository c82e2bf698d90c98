//! A bounded Microsoft Graph client for the registration audit, repair and
//! creation: reqwest 0.12 with rustls, no redirects, 15 s per request, at
//! most 4 MiB read, https only (plain http only for loopback test servers
//! such as the sandbox). The token goes only to the Graph root chosen from
//! the authority's cloud or given by the admin: a request for any other
//! URL is refused before it is sent (docs/graph.md#where-the-token-goes).
//! `secretText` (addPassword) is taken out of the answer at once and kept
//! as a [`SecretString`].

use secrecy::SecretString;
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::token::{GraphToken, Permission};
use crate::error::{Error, Result};

/// The largest answer read.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// One Graph request of a plan: exactly what is sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphRequest {
    /// `GET`, `POST` or `PATCH`.
    pub method: &'static str,
    /// The full URL. In a creation plan, `{app.id}`, `{app.appId}` and
    /// `{sp.id}` stand for what earlier steps return.
    pub url: String,
    /// The JSON body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// What it does, in the portal's words.
    pub summary: String,
    /// The least-privileged Graph permission it needs.
    #[serde(serialize_with = "least")]
    pub permission: Permission,
}

fn least<S: Serializer>(p: &Permission, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(p.least)
}

/// Graph's answer: status and JSON body (Graph's error object for failures).
#[derive(Debug)]
pub struct GraphResponse {
    pub status: u16,
    pub body: Value,
    /// addPassword's `secretText`, removed from `body`.
    pub secret_text: Option<SecretString>,
}

impl GraphResponse {
    /// 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
    /// Graph's `error.code: error.message`.
    pub fn error_text(&self) -> String {
        format!(
            "{}: {}",
            self.body["error"]["code"]
                .as_str()
                .unwrap_or("(no error code)"),
            self.body["error"]["message"]
                .as_str()
                .unwrap_or("(no message)")
        )
    }
}

/// The client: one Graph root, one token.
pub struct GraphClient {
    root: String,
    http: reqwest::Client,
    token: GraphToken,
}

impl GraphClient {
    /// `graph_root` is `https://graph.microsoft.com` or a national cloud's
    /// (or the sandbox's) root; `/v1.0` is added.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an unusable root.
    pub fn new(graph_root: &str, token: GraphToken) -> Result<GraphClient> {
        let bad = |reason: String| {
            Error::InvalidInput {
            field: "Graph URL".into(),
            reason,
            fix: Some("Use https://graph.microsoft.com (or the national cloud's Graph host); plain http only for loopback test servers.".into()),
        }
        };
        let url = url::Url::parse(graph_root.trim()).map_err(|e| bad(e.to_string()))?;
        crate::verify::check_url(&url).map_err(bad)?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("it must not carry a query or fragment".into()));
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(crate::groups::REQUEST_TIMEOUT)
            .build()
            .map_err(|e| Error::Internal(e.to_string()))?;
        let root = url.as_str().trim_end_matches('/');
        let root = root.strip_suffix("/v1.0").unwrap_or(root).to_string();
        Ok(GraphClient { root, http, token })
    }

    /// `{root}/v1.0{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/v1.0{path}", self.root)
    }

    /// The Graph root.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The token's identity and permissions.
    pub fn token(&self) -> &GraphToken {
        &self.token
    }

    /// Sends one request to this client's Graph root.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a URL outside the Graph root (the token is
    /// not sent); [`Error::Graph`] when Graph cannot be reached or answers
    /// too much. Graph's own errors come back as a [`GraphResponse`].
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
    ) -> Result<GraphResponse> {
        let prefix = format!("{}/v1.0/", self.root);
        if !url.starts_with(&prefix) || url.contains('{') {
            return Err(Error::InvalidInput {
                field: "Graph request".into(),
                reason: format!(
                    "{url} is not under {prefix}; the Graph token is sent nowhere else"
                ),
                fix: None,
            });
        }
        let parsed = url::Url::parse(url).map_err(|e| Error::Internal(e.to_string()))?;
        let m = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| Error::Internal(e.to_string()))?;
        let mut rq = self
            .http
            .request(m, parsed)
            .bearer_auth(self.token.bearer())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(b) = body {
            rq = rq.json(b);
        }
        let network = |reason: String| Error::Graph {
            action: format!("answer {method} {url}"),
            status: 0,
            detail: reason,
            fix: Some("Check the Graph URL and the network (proxy, firewall).".into()),
        };
        let mut response = rq.send().await.map_err(|e| network(e.to_string()))?;
        let status = response.status().as_u16();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| network(e.to_string()))? {
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(network(format!(
                    "the answer is larger than {MAX_BODY_BYTES} bytes"
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        let mut body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let secret_text = body
            .as_object_mut()
            .and_then(|o| o.remove("secretText"))
            .and_then(|v| v.as_str().map(|s| SecretString::from(s.to_string())));
        if (300..400).contains(&status) {
            return Err(network(
                "Graph answered with a redirect; Entrance does not follow redirects".into(),
            ));
        }
        Ok(GraphResponse {
            status,
            body,
            secret_text,
        })
    }

    /// A GET that must succeed; 404 → `Ok(None)`.
    pub async fn get(
        &self,
        path: &str,
        permission: Permission,
        action: &str,
    ) -> Result<Option<Value>> {
        let r = self.send("GET", &self.url(path), None).await?;
        match r.status {
            s if (200..300).contains(&s) => Ok(Some(r.body)),
            404 => Ok(None),
            _ => Err(self.failure(&r, permission, action)),
        }
    }

    /// Graph's refusal as a typed error: 403 → the permission `permission`
    /// (inferred: Graph does not name it), 401 → token not accepted.
    pub fn failure(&self, r: &GraphResponse, permission: Permission, action: &str) -> Error {
        match r.status {
            403 => {
                let detail = if self.token.allows(permission) {
                    format!("{} — the token carries {}, so the signed-in user's directory role does not allow it (Application Administrator or Cloud Application Administrator can)", r.error_text(), permission.least)
                } else {
                    r.error_text()
                };
                self.token.missing(permission, action, Some(detail))
            }
            401 => Error::Graph {
                action: action.to_string(),
                status: 401,
                detail: r.error_text(),
                fix: Some("Use an access token for Microsoft Graph (aud https://graph.microsoft.com), not an ID token, and check it has not expired.".into()),
            },
            s => Error::Graph {
                action: action.to_string(),
                status: s,
                detail: r.error_text(),
                fix: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn token() -> GraphToken {
        let p = URL_SAFE_NO_PAD.encode(
            r#"{"aud":"https://graph.microsoft.com","tid":"t","appid":"a","roles":["Application.ReadWrite.All"]}"#,
        );
        GraphToken::new(SecretString::from(format!("e30.{p}.sig"))).unwrap()
    }

    #[test]
    fn the_root_is_https_or_loopback_and_v1_0_is_added_once() {
        let c = GraphClient::new("https://graph.microsoft.us/v1.0/", token()).unwrap();
        assert_eq!(
            c.url("/applications"),
            "https://graph.microsoft.us/v1.0/applications"
        );
        assert!(GraphClient::new("http://graph.example.com", token()).is_err());
        assert!(GraphClient::new("http://127.0.0.1:9/graph", token()).is_ok());
    }

    #[tokio::test]
    async fn the_token_is_never_sent_outside_the_graph_root() {
        let c = GraphClient::new("https://graph.microsoft.com", token()).unwrap();
        for url in [
            "https://evil.example/v1.0/applications",
            "https://graph.microsoft.com.evil.example/v1.0/me",
            "https://graph.microsoft.com/v1.0/applications/{app.id}",
        ] {
            let e = c.send("GET", url, None).await.unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InputInvalid, "{url}");
        }
    }
}
