//! One run of one connection: the full pass, then the System Log. See the crate docs.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use futures::{StreamExt as _, TryStreamExt as _};
use serde_json::Value;
use spindle_actions::hris::Employee;
use spindle_okta::groups::ListGroups;
use spindle_okta::models::LogEvent;
use spindle_okta::models::{Group, User, UserStatus};
use spindle_okta::users::ListUsers;
use spindle_okta::{CallStats, Client, PageQuery};
use spindle_store::{
    Commit, ConnectionId, Progress, RecordQuery, RecordWrite, Store, SyncObject, SyncRun,
    SyncRunId, SyncSettings,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::SyncError;
use crate::checkpoint::{Checkpoint, LogPosition, MemberLane, Pass, Phase, UserLane};

/// Users per page of the user lists (Okta's maximum).
const USER_PAGE: u32 = 200;
/// Groups per page of the group list.
const GROUP_PAGE: u32 = 1000;
/// Members per page of a group's member list (Okta's default and maximum).
const MEMBER_PAGE: u32 = 1000;
/// Events per page of the System Log (Okta's maximum).
const LOG_PAGE: u32 = 1000;
/// How far before a first pass the System Log is followed from, so an event published during
/// the pass but indexed late is not missed ([unconfirmed] Okta documents its log as near real
/// time without a bound; a minute covers the delays it describes).
const LOG_MARGIN: time::Duration = time::Duration::seconds(60);
/// Reads by id in flight at once within one log page (the pacer still holds the rate).
const READS_IN_FLIGHT: usize = 8;
/// Deletion candidates confirmed per batch at the end of a pass.
const CONFIRM_BATCH: usize = 100;

/// What a run did (its figures are also on the run row).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOutcome {
    /// Changes emitted to the feed.
    pub changes: u64,
}

/// What one page of a lane read, and where the lane goes next (`None`: it is done).
struct Step<L> {
    writes: Vec<RecordWrite>,
    pages: i64,
    records: i64,
    next: Option<L>,
}

/// Everything one run needs.
pub(crate) struct Runner<'a> {
    pub store: &'a Store,
    pub client: Client,
    pub stats: Arc<CallStats>,
    pub connection: ConnectionId,
    pub run: SyncRunId,
    pub owner: String,
    pub settings: SyncSettings,
    pub stop: &'a (dyn Fn() -> bool + Send + Sync),
    pub on_commit: &'a (dyn Fn(&ConnectionId) + Send + Sync),
    /// Call counters at the last batch, to report each batch's share.
    reported: (u64, u64),
    outcome: RunOutcome,
}

/// Runs `run` to its end with `client` (the connection's client, so its pacer is shared with
/// everything else the connection does), as worker `owner`. `stop` is asked between pages; when
/// it says yes the run ends with [`SyncError::Stopped`], keeping its checkpoint. `on_commit` is
/// called after every batch that emitted changes.
///
/// # Errors
/// [`SyncError`]: Okta's or the store's failure, or [`SyncError::LeaseLost`] when another worker
/// took the run over. What was committed before the error stays.
pub async fn run_sync(
    store: &Store,
    client: &Client,
    run: &SyncRun,
    owner: &str,
    stop: &(dyn Fn() -> bool + Send + Sync),
    on_commit: &(dyn Fn(&ConnectionId) + Send + Sync),
) -> Result<RunOutcome, SyncError> {
    let status = store.sync().status(&run.connection_id).await?;
    let stats = Arc::new(CallStats::default());
    let mut runner = Runner {
        store,
        client: client.with_stats(Arc::clone(&stats)),
        stats,
        connection: run.connection_id.clone(),
        run: run.id.clone(),
        owner: owner.to_owned(),
        settings: status.settings.clone(),
        stop,
        on_commit,
        reported: (0, 0),
        outcome: RunOutcome::default(),
    };
    let checkpoint: Checkpoint = run
        .checkpoint
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default();
    let pass = match checkpoint.pass {
        Some(pass) => Some(pass),
        None if run.full || status.log_next.is_none() => Some(runner.new_pass(&status)),
        None => None,
    };
    if let Some(pass) = pass {
        runner.full_pass(pass).await?;
    }
    if let Some(position) = runner
        .store
        .sync()
        .status(&runner.connection)
        .await?
        .log_next
    {
        runner.follow_log(LogPosition::parse(&position)).await?;
    }
    Ok(runner.outcome)
}

fn okta_time(text: Option<&str>) -> Option<OffsetDateTime> {
    text.and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
}

fn ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// An Okta object as the store keeps it: without `_links`, which are navigation, not data, and
/// differ between a list and a read by id (a list's users carry only `self`), so keeping them
/// would make every reconciliation report changes that are not.
fn stored(object: &impl serde::Serialize) -> Option<Value> {
    let mut value = serde_json::to_value(object).ok()?;
    if let Some(map) = value.as_object_mut() {
        map.remove("_links");
    }
    Some(value)
}

/// The record of a user: the unified employee (with the raw user), terminal when deprovisioned.
fn employee_write(user: &User, okta_at: Option<OffsetDateTime>) -> Option<RecordWrite> {
    let raw = stored(user)?;
    let employee = match Employee::from_okta_user(&raw) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(error = %e, "a user Okta returned cannot be mapped; skipped");
            return None;
        }
    };
    let data = serde_json::to_value(&employee).ok()?;
    Some(RecordWrite::Upsert {
        object: SyncObject::Employees,
        id: employee.id.clone(),
        data,
        okta_at: okta_at.or_else(|| okta_time(user.last_updated.as_deref())),
        terminal: matches!(user.status, Some(UserStatus::Deprovisioned)),
    })
}

fn group_write(group: &Group, okta_at: Option<OffsetDateTime>) -> Option<RecordWrite> {
    let data = stored(group)?;
    let id = data.get("id")?.as_str()?.to_owned();
    Some(RecordWrite::Upsert {
        object: SyncObject::Groups,
        id,
        data,
        // A group changes in Okta when its profile does (`lastUpdated`) or its members do
        // (`lastMembershipUpdated`): the later of the two is when the record last changed.
        okta_at: okta_at.or_else(|| {
            okta_time(group.last_updated.as_deref())
                .max(okta_time(group.last_membership_updated.as_deref()))
        }),
        terminal: false,
    })
}

fn user_id(user: &User) -> Option<String> {
    user.id.as_ref().map(|id| id.to_string())
}

impl Runner<'_> {
    fn new_pass(&self, status: &spindle_store::SyncStatus) -> Pass {
        let now = OffsetDateTime::now_utc();
        let log_start = status.log_next.is_none().then(|| {
            let since = (now - LOG_MARGIN).format(&Rfc3339).unwrap_or_default();
            let mut url = self.client.org_url().clone();
            url.set_path("/api/v1/logs");
            url.query_pairs_mut()
                .append_pair("since", &since)
                .append_pair("sortOrder", "ASCENDING")
                .append_pair("limit", &LOG_PAGE.to_string());
            LogPosition {
                next: url.to_string(),
                recent: Vec::new(),
            }
            .encode()
        });
        Pass {
            started_ms: ms(now),
            log_start,
            phase: Phase::Groups { after: None },
        }
    }

    fn check_stop(&self) -> Result<(), SyncError> {
        if (self.stop)() {
            return Err(SyncError::Stopped);
        }
        Ok(())
    }

    /// Writes one batch with the run's figures since the last one.
    async fn commit(
        &mut self,
        writes: Vec<RecordWrite>,
        checkpoint: Option<&Checkpoint>,
        log_next: Option<String>,
        full_pass_ended: bool,
        pages: i64,
        records: i64,
    ) -> Result<(), SyncError> {
        let (calls, throttled) = (self.stats.calls(), self.stats.throttled());
        let progress = Progress {
            pages,
            records,
            okta_calls: i64::try_from(calls - self.reported.0).unwrap_or(0),
            rate_limited: i64::try_from(throttled - self.reported.1).unwrap_or(0),
        };
        let mut commit = Commit::new(self.run.clone(), self.owner.clone());
        commit.writes = writes;
        commit.checkpoint = checkpoint.map(|c| serde_json::to_string(c).unwrap_or_default());
        commit.log_next = log_next;
        commit.full_pass_ended = full_pass_ended;
        commit.progress = progress;
        match self.store.sync().commit(&self.connection, commit).await {
            Ok(n) => {
                self.reported = (calls, throttled);
                self.outcome.changes += n;
                if n > 0 {
                    (self.on_commit)(&self.connection);
                }
                Ok(())
            }
            Err(spindle_store::StoreError::LeaseLost { .. }) => Err(SyncError::LeaseLost),
            Err(e) => Err(e.into()),
        }
    }

    async fn full_pass(&mut self, mut pass: Pass) -> Result<(), SyncError> {
        let syncs = |o| self.settings.syncs(o);
        let (employees, groups, memberships) = (
            syncs(SyncObject::Employees),
            syncs(SyncObject::Groups),
            syncs(SyncObject::Memberships),
        );
        // The user lists and the member walks count against different rate-limit buckets:
        // they run side by side, so the pass takes as long as the busier bucket needs, not the
        // sum of both.
        let lanes = || Phase::Lanes {
            users: employees.then_some(UserLane {
                deprovisioned: false,
                after: None,
            }),
            members: memberships.then_some(MemberLane {
                group: None,
                after: None,
            }),
        };
        loop {
            self.check_stop()?;
            let (writes, pages, records) = match pass.phase.clone() {
                Phase::Groups { .. } if !groups => {
                    pass.phase = lanes();
                    continue;
                }
                Phase::Groups { after } => {
                    let mut query = ListGroups::new().limit(GROUP_PAGE);
                    if let Some(after) = after {
                        query = query.after(after);
                    }
                    let page = self.client.groups().list_page(query).await?;
                    let writes: Vec<RecordWrite> = page
                        .items
                        .iter()
                        .filter_map(|g| group_write(g, None))
                        .collect();
                    pass.phase = match page.next_after() {
                        Some(after) => Phase::Groups { after: Some(after) },
                        None => lanes(),
                    };
                    (writes, 1, page.items.len() as i64)
                }
                Phase::Lanes {
                    users: None,
                    members: None,
                } => {
                    pass.phase = Phase::Sweep;
                    continue;
                }
                Phase::Lanes { users, members } => {
                    let (u, m) = futures::join!(
                        async {
                            match users {
                                Some(lane) => self.user_page(lane).await.map(Some),
                                None => Ok(None),
                            }
                        },
                        async {
                            match members {
                                Some(lane) => self.member_page(lane).await.map(Some),
                                None => Ok(None),
                            }
                        },
                    );
                    let (u, m) = (u?, m?);
                    let mut writes = Vec::new();
                    let (mut pages, mut records) = (0, 0);
                    let mut next_users = None;
                    let mut next_members = None;
                    if let Some(step) = u {
                        writes.extend(step.writes);
                        pages += step.pages;
                        records += step.records;
                        next_users = step.next;
                    }
                    if let Some(step) = m {
                        writes.extend(step.writes);
                        pages += step.pages;
                        records += step.records;
                        next_members = step.next;
                    }
                    pass.phase = Phase::Lanes {
                        users: next_users,
                        members: next_members,
                    };
                    (writes, pages, records)
                }
                Phase::Sweep => return self.sweep(pass).await,
            };
            let checkpoint = Checkpoint {
                pass: Some(pass.clone()),
            };
            self.commit(writes, Some(&checkpoint), None, false, pages, records)
                .await?;
        }
    }

    /// One page of the user lists: the default list (every status but `DEPROVISIONED`), then
    /// the `DEPROVISIONED` users it hides.
    async fn user_page(&self, lane: UserLane) -> Result<Step<UserLane>, SyncError> {
        let mut query = ListUsers::new().limit(USER_PAGE);
        if lane.deprovisioned {
            query = query.filter("status eq \"DEPROVISIONED\"");
        }
        if let Some(after) = lane.after {
            query = query.after(after);
        }
        let page = self.client.users().list_page(query).await?;
        let next = match (page.next_after(), lane.deprovisioned) {
            (Some(after), deprovisioned) => Some(UserLane {
                deprovisioned,
                after: Some(after),
            }),
            (None, false) => Some(UserLane {
                deprovisioned: true,
                after: None,
            }),
            (None, true) => None,
        };
        Ok(Step {
            writes: page
                .items
                .iter()
                .filter_map(|u| employee_write(u, None))
                .collect(),
            pages: 1,
            records: page.items.len() as i64,
            next,
        })
    }

    /// One page of the member walks: the members of each stored group, groups in id order.
    async fn member_page(&self, lane: MemberLane) -> Result<Step<MemberLane>, SyncError> {
        let group = match lane.group {
            Some(g) => g,
            None => match self.group_after(None).await? {
                Some(g) => g,
                None => {
                    return Ok(Step {
                        writes: Vec::new(),
                        pages: 0,
                        records: 0,
                        next: None,
                    });
                }
            },
        };
        let mut query = PageQuery::new().limit(MEMBER_PAGE);
        if let Some(after) = lane.after {
            query = query.after(after);
        }
        let (writes, records, next_after) = match self
            .client
            .groups()
            .members_page(group.as_str(), query)
            .await
        {
            Ok(page) => (
                page.items
                    .iter()
                    .filter_map(|u| user_id(u).map(|u| RecordWrite::membership(&group, &u, None)))
                    .collect(),
                page.items.len() as i64,
                page.next_after(),
            ),
            // Deleted since the group list: the log or the sweep removes it.
            Err(e) if e.is_not_found() => (Vec::new(), 0, None),
            Err(e) => return Err(e.into()),
        };
        let next = match next_after {
            Some(after) => Some(MemberLane {
                group: Some(group),
                after: Some(after),
            }),
            None => self
                .group_after(Some(&group))
                .await?
                .map(|next| MemberLane {
                    group: Some(next),
                    after: None,
                }),
        };
        Ok(Step {
            writes,
            pages: 1,
            records,
            next,
        })
    }

    /// The first live group in the store whose id is after `after` (all of them are walked in
    /// id order).
    async fn group_after(&self, after: Option<&str>) -> Result<Option<String>, SyncError> {
        Ok(self
            .store
            .sync()
            .next_id(&self.connection, SyncObject::Groups, after)
            .await?)
    }

    /// The ids of the stored built-in groups (`Everyone`).
    async fn built_in_groups(&self) -> Result<Vec<String>, SyncError> {
        if !self.settings.syncs(SyncObject::Groups) {
            return Ok(Vec::new());
        }
        let mut query = RecordQuery {
            limit: Some(1000),
            ..RecordQuery::default()
        };
        let mut out = Vec::new();
        loop {
            let page = self
                .store
                .sync()
                .records(&self.connection, SyncObject::Groups, &query)
                .await?;
            out.extend(
                page.items
                    .iter()
                    .filter(|r| r.data.get("type").and_then(Value::as_str) == Some("BUILT_IN"))
                    .map(|r| r.id.clone()),
            );
            match page.next {
                Some(next) => query.cursor = Some(next),
                None => return Ok(out),
            }
        }
    }

    /// The end of a complete pass: confirm by id what it did not see, remove the memberships
    /// the walks did not see, and start following the log.
    async fn sweep(&mut self, pass: Pass) -> Result<(), SyncError> {
        let since = from_ms(pass.started_ms);
        let checkpoint = Checkpoint {
            pass: Some(pass.clone()),
        };
        for object in [SyncObject::Employees, SyncObject::Groups] {
            if !self.settings.syncs(object) {
                continue;
            }
            let unseen = self
                .store
                .sync()
                .unseen(&self.connection, object, since)
                .await?;
            for chunk in unseen.chunks(CONFIRM_BATCH) {
                self.check_stop()?;
                let writes = self
                    .reread(object, chunk, &BTreeMap::new(), &[], &[])
                    .await?;
                self.commit(writes, Some(&checkpoint), None, false, 0, 0)
                    .await?;
            }
        }
        let mut writes = Vec::new();
        if self.settings.syncs(SyncObject::Memberships) {
            writes.push(RecordWrite::Sweep {
                object: SyncObject::Memberships,
                unseen_since: since,
            });
        }
        let done = Checkpoint::default();
        self.commit(writes, Some(&done), pass.log_start, true, 0, 0)
            .await
    }

    /// Re-reads `ids` of `object` by id: what exists is written as it is now, what Okta
    /// answers 404 for is deleted with its memberships. Groups whose `lastMembershipUpdated`
    /// moved get their members re-walked.
    async fn reread(
        &self,
        object: SyncObject,
        ids: &[String],
        when: &BTreeMap<String, Option<OffsetDateTime>>,
        built_in: &[String],
        no_walk: &[String],
    ) -> Result<Vec<RecordWrite>, SyncError> {
        let memberships = self.settings.syncs(SyncObject::Memberships);
        let results: Vec<(String, Result<Vec<RecordWrite>, SyncError>)> =
            futures::stream::iter(ids.iter().cloned())
                .map(|id| async move {
                    let okta_at = when.get(&id).copied().flatten();
                    let writes = match object {
                        SyncObject::Employees => {
                            self.reread_user(&id, okta_at, memberships, built_in).await
                        }
                        _ => {
                            let walk =
                                memberships && !built_in.contains(&id) && !no_walk.contains(&id);
                            self.reread_group(&id, okta_at, walk, memberships).await
                        }
                    };
                    (id, writes)
                })
                .buffered(READS_IN_FLIGHT)
                .collect()
                .await;
        let mut writes = Vec::new();
        for (_, result) in results {
            writes.extend(result?);
        }
        Ok(writes)
    }

    async fn reread_user(
        &self,
        id: &str,
        okta_at: Option<OffsetDateTime>,
        memberships: bool,
        built_in: &[String],
    ) -> Result<Vec<RecordWrite>, SyncError> {
        match self.client.users().get(id, None).await {
            Ok(user) => {
                let mut writes: Vec<RecordWrite> =
                    employee_write(&user, okta_at).into_iter().collect();
                // Every user is a member of the built-in groups (`Everyone`).
                if memberships {
                    writes.extend(
                        built_in
                            .iter()
                            .map(|g| RecordWrite::membership(g, id, okta_at)),
                    );
                }
                Ok(writes)
            }
            Err(e) if e.is_not_found() => {
                let mut writes = vec![RecordWrite::Delete {
                    object: SyncObject::Employees,
                    id: id.to_owned(),
                    okta_at,
                }];
                if memberships {
                    writes.push(RecordWrite::MembershipsOfUser {
                        user_id: id.to_owned(),
                        okta_at,
                    });
                }
                Ok(writes)
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn reread_group(
        &self,
        id: &str,
        okta_at: Option<OffsetDateTime>,
        walk: bool,
        memberships: bool,
    ) -> Result<Vec<RecordWrite>, SyncError> {
        let group = match self.client.groups().get(id).await {
            Ok(group) => group,
            Err(e) if e.is_not_found() => {
                let mut writes = vec![RecordWrite::Delete {
                    object: SyncObject::Groups,
                    id: id.to_owned(),
                    okta_at,
                }];
                if memberships {
                    writes.push(RecordWrite::MembershipsOfGroup {
                        group_id: id.to_owned(),
                        okta_at,
                    });
                }
                return Ok(writes);
            }
            Err(e) => return Err(e.into()),
        };
        let mut writes: Vec<RecordWrite> = group_write(&group, okta_at).into_iter().collect();
        if !walk {
            return Ok(writes);
        }
        let stored = self
            .store
            .sync()
            .record(&self.connection, SyncObject::Groups, id)
            .await?;
        let moved = stored.as_ref().is_none_or(|r| {
            r.deleted_at.is_some()
                || r.data.get("lastMembershipUpdated").and_then(Value::as_str)
                    != group.last_membership_updated.as_deref()
        });
        if !moved {
            return Ok(writes);
        }
        let members: Vec<String> = self
            .client
            .groups()
            .members(id)
            .try_filter_map(|u| async move { Ok(user_id(&u)) })
            .try_collect()
            .await?;
        let current: HashSet<&str> = members.iter().map(String::as_str).collect();
        for user in self.store.sync().members(&self.connection, id).await? {
            if !current.contains(user.as_str()) {
                writes.push(RecordWrite::Delete {
                    object: SyncObject::Memberships,
                    id: spindle_store::membership_id(id, &user),
                    okta_at,
                });
            }
        }
        writes.extend(
            members
                .iter()
                .map(|u| RecordWrite::membership(id, u, okta_at)),
        );
        Ok(writes)
    }

    /// Follows the System Log from `position` until it is caught up.
    async fn follow_log(&mut self, mut position: LogPosition) -> Result<(), SyncError> {
        loop {
            self.check_stop()?;
            let page = self.client.logs().page_at(&position.next).await?;
            let next = page
                .next
                .as_ref()
                .map(|u| u.to_string())
                .unwrap_or_else(|| position.next.clone());
            let recent: HashSet<&str> = position.recent.iter().map(String::as_str).collect();
            let mut seen_now = HashSet::new();
            let mut users: BTreeMap<String, Option<OffsetDateTime>> = BTreeMap::new();
            let mut groups: BTreeMap<String, Option<OffsetDateTime>> = BTreeMap::new();
            let mut lifecycle = false;
            // Membership events, the last one per membership, and the groups they explain.
            let mut member_events: BTreeMap<(String, String), (bool, Option<OffsetDateTime>)> =
                BTreeMap::new();
            let mut explained: BTreeSet<String> = BTreeSet::new();
            for event in &page.items {
                let uuid = event_uuid(event);
                if recent.contains(uuid) || !seen_now.insert(uuid.to_owned()) {
                    continue;
                }
                lifecycle |= matches!(
                    event.event_type.as_deref(),
                    Some("user.lifecycle.create" | "user.lifecycle.delete.completed")
                );
                let (u, g) = affected(event);
                let at = okta_time(event_published(event).as_deref());
                if let Some((group, user, added)) = membership_event(event) {
                    explained.insert(group.clone());
                    member_events.insert((group, user), (added, at));
                }
                for id in u {
                    users.insert(id, at);
                }
                for id in g {
                    groups.insert(id, at);
                }
            }
            // Okta keeps the built-in `Everyone` group's members implicitly (every user) and
            // logs no membership event for it ([unconfirmed]: none appears in Okta's event
            // catalog for it): its memberships follow the users' own events, and the group is
            // re-read (not walked) when users come or go.
            let built_in = if users.is_empty() {
                Vec::new()
            } else {
                self.built_in_groups().await?
            };
            if lifecycle {
                for g in &built_in {
                    groups.entry(g.clone()).or_insert(None);
                }
            }
            // Memberships named by events are applied as the log says (no walk: calls stay
            // proportional to the changes, not to the groups' sizes). They come first, so a
            // user or group deleted later in the page takes its memberships with it.
            let mut writes = Vec::new();
            if self.settings.syncs(SyncObject::Memberships) {
                for ((group, user), (added, at)) in &member_events {
                    writes.push(if *added {
                        RecordWrite::membership(group, user, *at)
                    } else {
                        RecordWrite::Delete {
                            object: SyncObject::Memberships,
                            id: spindle_store::membership_id(group, user),
                            okta_at: *at,
                        }
                    });
                }
            }
            if self.settings.syncs(SyncObject::Employees) {
                let ids: Vec<String> = users.keys().cloned().collect();
                writes.extend(
                    self.reread(SyncObject::Employees, &ids, &users, &built_in, &[])
                        .await?,
                );
            }
            if self.settings.syncs(SyncObject::Groups) {
                // A group whose `lastMembershipUpdated` moved is walked only when no event of
                // this page explains it (a change Okta did not log, or the group is new here).
                let no_walk: Vec<String> = built_in.iter().chain(&explained).cloned().collect();
                let ids: Vec<String> = groups.keys().cloned().collect();
                writes.extend(
                    self.reread(SyncObject::Groups, &ids, &groups, &built_in, &no_walk)
                        .await?,
                );
            }
            let caught_up = (page.items.len() as u32) < LOG_PAGE;
            let new_position = LogPosition {
                next,
                recent: page
                    .items
                    .iter()
                    .map(|e| event_uuid(e).to_owned())
                    .collect(),
            };
            let records = (users.len() + groups.len()) as i64;
            if page.items.is_empty() && new_position.next == position.next {
                // Nothing new: keep the figures, not a new position.
                self.commit(Vec::new(), None, None, false, 1, 0).await?;
                return Ok(());
            }
            let position_text = new_position.encode();
            self.commit(writes, None, Some(position_text), false, 1, records)
                .await?;
            position = new_position;
            if caught_up {
                return Ok(());
            }
        }
    }
}

/// The event's `uuid`.
fn event_uuid(event: &LogEvent) -> &str {
    event.uuid.as_deref().unwrap_or_default()
}

fn event_published(event: &LogEvent) -> Option<String> {
    event.published.clone()
}

/// A membership event's group, user, and whether it was an addition.
fn membership_event(event: &LogEvent) -> Option<(String, String, bool)> {
    let added = match event.event_type.as_deref()? {
        "group.user_membership.add" => true,
        "group.user_membership.remove" => false,
        _ => return None,
    };
    let user = event.targets_of_type("User").find_map(|t| t.id.clone())?;
    let group = event
        .targets_of_type("UserGroup")
        .find_map(|t| t.id.clone())?;
    Some((group, user, added))
}

/// The users and groups an event says changed. Membership events change the group (re-read for
/// its `lastMembershipUpdated`), not the user.
fn affected(event: &LogEvent) -> (BTreeSet<String>, BTreeSet<String>) {
    let kind = event.event_type.as_deref().unwrap_or_default();
    let relevant = kind.starts_with("user.lifecycle.")
        || kind.starts_with("user.account.")
        || kind.starts_with("group.")
        || kind == "user.session.start";
    let mut users = BTreeSet::new();
    let mut groups = BTreeSet::new();
    if !relevant {
        return (users, groups);
    }
    // A sign-in moves the user's `lastLogin`. Okta names the user as the event's actor (the
    // emulator as its target; both are read).
    if kind == "user.session.start"
        && let Some(actor) = &event.actor
        && actor.actor_type.as_deref() == Some("User")
        && let Some(id) = &actor.id
    {
        users.insert(id.clone());
    }
    let membership = kind.starts_with("group.user_membership.");
    for target in &event.target {
        let Some(id) = target.id.clone() else {
            continue;
        };
        match target.target_type.as_deref() {
            Some("User") if !membership => {
                users.insert(id);
            }
            Some("UserGroup") => {
                groups.insert(id);
            }
            _ => {}
        }
    }
    (users, groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_changed_when_its_profile_or_its_members_last_did() {
        let group = |updated: &str, members: Option<&str>| -> Group {
            let mut g = serde_json::json!({"id": "00g1", "lastUpdated": updated,
                                           "profile": {"name": "Eng"}});
            if let Some(m) = members {
                g["lastMembershipUpdated"] = m.into();
            }
            serde_json::from_value(g).expect("a group")
        };
        let at = |g: &Group| match group_write(g, None) {
            Some(RecordWrite::Upsert { okta_at, .. }) => okta_at.map(ms),
            _ => None,
        };
        let t = |s: &str| okta_time(Some(s)).map(ms);
        let later = "2026-12-07T10:00:00.000Z";
        let earlier = "2021-01-01T00:00:00.000Z";
        assert_eq!(at(&group(earlier, Some(later))), t(later));
        assert_eq!(at(&group(later, Some(earlier))), t(later));
        assert_eq!(at(&group(earlier, None)), t(earlier));
        // A time from the System Log wins.
        let event = okta_time(Some("2026-12-07T11:00:00.000Z"));
        match group_write(&group(earlier, Some(later)), event) {
            Some(RecordWrite::Upsert { okta_at, .. }) => assert_eq!(okta_at, event),
            other => panic!("{other:?}"),
        }
    }
}
