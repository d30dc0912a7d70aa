//! `spindle webhooks`: the gateway's webhook endpoints, their deliveries and replays, through a
//! running gateway's HTTP API (`spindle serve`).
//!
//! Every command prints the JSON the API answers; the gateway client is [`crate::gateway`]. A
//! signing secret is printed only where the API returns it (`add`, `rotate`), with a note on
//! stderr that it is shown once.

use std::io::Write as _;

use clap::{ArgGroup, Args, Subcommand};
use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::gateway::{Gateway, GatewayArgs, segment};
use crate::{CliError, output};

/// `spindle webhooks`: the gateway and key, and what to do.
#[derive(Debug, Args)]
pub struct WebhooksArgs {
    /// The gateway and its API key.
    #[command(flatten)]
    pub gateway: GatewayArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: WebhooksCommand,
}

/// `spindle webhooks` subcommands.
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Add a webhook endpoint and print it with its signing secret (shown only this once).
    ///
    /// Without --event it gets every change type; without --connection, the changes of every
    /// connection.
    #[command(after_help = "Examples:\n  \
                            spindle webhooks add https://hooks.example.com/spindle\n  \
                            spindle webhooks add https://hooks.example.com/hr --event employee.created \
                            --event employee.terminated --connection acme --description 'HR'")]
    Add {
        /// The URL deliveries are POSTed to.
        url: String,
        /// A change type to deliver (repeatable; default: all).
        #[arg(long = "event", value_name = "TYPE", value_parser = spindle_store::CHANGE_TYPES)]
        events: Vec<String>,
        /// A connection (id `conn_…` or name) whose changes to deliver (repeatable; default: all).
        #[arg(long = "connection", value_name = "CONNECTION")]
        connections: Vec<String>,
        /// What the endpoint is for.
        #[arg(long)]
        description: Option<String>,
    },
    /// List the webhook endpoints (never their secrets).
    #[command(after_help = "Examples:\n  spindle webhooks list")]
    List,
    /// Print one webhook endpoint.
    #[command(after_help = "Examples:\n  spindle webhooks show whk_01J...")]
    Show {
        /// The webhook's id (`whk_…`).
        id: String,
    },
    /// Remove a webhook endpoint; nothing more is delivered to it.
    #[command(after_help = "Examples:\n  spindle webhooks remove whk_01J...")]
    Remove {
        /// The webhook's id (`whk_…`).
        id: String,
    },
    /// Start delivering to an endpoint again (after `disable`, or after the gateway disabled it).
    #[command(after_help = "Examples:\n  spindle webhooks enable whk_01J...")]
    Enable {
        /// The webhook's id (`whk_…`).
        id: String,
    },
    /// Stop delivering to an endpoint (`enable` starts again).
    #[command(after_help = "Examples:\n  spindle webhooks disable whk_01J...")]
    Disable {
        /// The webhook's id (`whk_…`).
        id: String,
    },
    /// Give an endpoint a new signing secret and print it (shown only this once).
    ///
    /// During the overlap every delivery is signed with both the new and the previous secret, so
    /// the receiver can switch at any time within it.
    #[command(after_help = "Examples:\n  spindle webhooks rotate whk_01J...\n  \
                            spindle webhooks rotate whk_01J... --overlap 0s")]
    Rotate {
        /// The webhook's id (`whk_…`).
        id: String,
        /// How long the previous secret keeps signing, e.g. `24h`, `30m`, `0s` (default: the
        /// gateway's, 24h).
        #[arg(long, value_name = "DURATION")]
        overlap: Option<String>,
    },
    /// List an endpoint's deliveries, each with its attempts.
    #[command(after_help = "Examples:\n  spindle webhooks deliveries whk_01J...\n  \
                            spindle webhooks deliveries whk_01J... --state dead --limit 20")]
    Deliveries {
        /// The webhook's id (`whk_…`).
        id: String,
        /// Only deliveries in this state.
        #[arg(long, value_parser = ["pending", "succeeded", "dead"])]
        state: Option<String>,
        /// How many deliveries to list.
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Deliver again: one delivery (a dead letter, say), or a connection's changes from a
    /// sequence number on.
    ///
    /// Replayed deliveries keep their `webhook-id`, so a receiver that deduplicates by it
    /// processes each change once.
    #[command(
        group(ArgGroup::new("what").required(true).args(["delivery", "connection"])),
        after_help = "Examples:\n  spindle webhooks replay whk_01J... --delivery msg_01J...\n  \
                      spindle webhooks replay whk_01J... --connection acme --from-seq 1200"
    )]
    Replay {
        /// The webhook's id (`whk_…`).
        id: String,
        /// The delivery to replay (`msg_…`).
        #[arg(long, value_name = "DELIVERY_ID", conflicts_with_all = ["connection", "from_seq"])]
        delivery: Option<String>,
        /// The connection (id or name) whose changes to replay; needs --from-seq.
        #[arg(long, requires = "from_seq")]
        connection: Option<String>,
        /// The first change sequence number (`seq`) to replay.
        #[arg(long, value_name = "SEQ", requires = "connection")]
        from_seq: Option<u64>,
    },
}

/// Runs `spindle webhooks`.
///
/// # Errors
/// [`CliError::BadInput`] without a gateway URL or key; [`CliError::Gateway`] when the gateway
/// answers with a problem; [`CliError::GatewayUnreachable`].
pub fn run(args: WebhooksArgs) -> Result<(), CliError> {
    let gateway = Gateway::new(&args.gateway)?;
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let one = |id: &str| format!("/v1/webhooks/{}", segment(id));
        let (answer, secret_shown) = match args.command {
            WebhooksCommand::Add {
                url,
                events,
                connections,
                description,
            } => {
                let mut body = Map::new();
                body.insert("url".into(), json!(url));
                if let Some(description) = description {
                    body.insert("description".into(), json!(description));
                }
                if !events.is_empty() {
                    body.insert("events".into(), json!(events));
                }
                if !connections.is_empty() {
                    body.insert("connections".into(), json!(connections));
                }
                let created = gateway
                    .call(Method::POST, "/v1/webhooks", &[], Some(Value::Object(body)))
                    .await?;
                (created, true)
            }
            WebhooksCommand::List => (
                gateway.call(Method::GET, "/v1/webhooks", &[], None).await?,
                false,
            ),
            WebhooksCommand::Show { id } => (
                gateway.call(Method::GET, &one(&id), &[], None).await?,
                false,
            ),
            WebhooksCommand::Remove { id } => {
                gateway.call(Method::DELETE, &one(&id), &[], None).await?;
                (json!({"id": id, "removed": true}), false)
            }
            WebhooksCommand::Enable { id } => {
                let body = json!({"enabled": true});
                let webhook = gateway
                    .call(Method::PATCH, &one(&id), &[], Some(body))
                    .await?;
                (webhook, false)
            }
            WebhooksCommand::Disable { id } => {
                let body = json!({"enabled": false});
                let webhook = gateway
                    .call(Method::PATCH, &one(&id), &[], Some(body))
                    .await?;
                (webhook, false)
            }
            WebhooksCommand::Rotate { id, overlap } => {
                let body = match overlap {
                    Some(overlap) => json!({"overlap": overlap}),
                    None => json!({}),
                };
                let path = format!("{}/rotate", one(&id));
                (
                    gateway.call(Method::POST, &path, &[], Some(body)).await?,
                    true,
                )
            }
            WebhooksCommand::Deliveries { id, state, limit } => {
                let mut query = Vec::new();
                if let Some(state) = state {
                    query.push(("state", state));
                }
                if let Some(limit) = limit {
                    query.push(("limit", limit.to_string()));
                }
                let path = format!("{}/deliveries", one(&id));
                (gateway.call(Method::GET, &path, &query, None).await?, false)
            }
            WebhooksCommand::Replay {
                id,
                delivery,
                connection,
                from_seq,
            } => {
                let body = match (delivery, connection, from_seq) {
                    (Some(delivery), _, _) => json!({"delivery_id": delivery}),
                    (None, Some(connection), Some(from_seq)) => {
                        json!({"connection": connection, "from_seq": from_seq})
                    }
                    _ => {
                        return Err(CliError::BadInput(
                            "replay needs --delivery ID, or --connection C with --from-seq N"
                                .into(),
                        ));
                    }
                };
                let path = format!("{}/replay", one(&id));
                (
                    gateway.call(Method::POST, &path, &[], Some(body)).await?,
                    false,
                )
            }
        };
        output::with_stdout(|out| output::json(out, &answer))?;
        if secret_shown && answer.get("secret").is_some() {
            let _ = writeln!(
                std::io::stderr(),
                "note: the signing secret above is shown only this once; store it now (a new one: \
                 `spindle webhooks rotate {}`)",
                answer["id"].as_str().unwrap_or("ID")
            );
        }
        Ok(())
    })
}
