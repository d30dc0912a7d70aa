//! The address filter: connections go only to resolved addresses it allows (DNS rebinding).

use spindle_okta::{AddressFilter, Client, Config, Method, RetryPolicy};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn get_users(filter: Option<AddressFilter>, url: &str) -> spindle_okta::Result<u16> {
    let mut config =
        Config::with_api_token(url, "00token")?.retry(RetryPolicy::default().with_max_attempts(1));
    if let Some(filter) = filter {
        config = config.address_filter(filter);
    }
    let client = Client::new(config)?;
    let response = client
        .send(client.request(Method::GET, "/api/v1/users", "/api/v1/users"))
        .await?;
    Ok(response.status)
}

#[tokio::test]
async fn a_name_resolving_only_to_refused_addresses_is_not_connected_to() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .mount(&server)
        .await;
    // `localhost` goes through the resolver (an IP literal would not).
    let url = format!("http://localhost:{}", server.address().port());

    let refuse_loopback = AddressFilter::new(|ip| !ip.is_loopback());
    let error = get_users(Some(refuse_loopback), &url)
        .await
        .expect_err("loopback is refused");
    let text = format!("{error:?}");
    assert!(text.contains("may not connect"), "{text}");
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );

    let allow_all = AddressFilter::new(|_| true);
    assert_eq!(
        get_users(Some(allow_all), &url).await.expect("allowed"),
        200
    );
    assert_eq!(get_users(None, &url).await.expect("no filter"), 200);
}
