//! Mail: what each step writes, and the worker that delivers the outbox over SMTP.
//!
//! Mails go to guests who chose no language and to the programme's staff, in Japanese, the
//! programme's language (the one place where this crate writes sentences; pages and the API take
//! theirs from the interface's catalogue). A mail is queued in the transaction of the step that
//! sends it; the worker delivers what is due, retries with growing waits and records failures.
//! Without an SMTP server configured, no worker runs and the outbox keeps every mail.

use crate::App;
use noguchi_domain::event::{EventKind, RegistrationStatus};
use noguchi_storage::{MailDraft, MailFor};
use std::time::Duration;

/// What mail needs to know of the installation.
#[derive(Debug, Clone, Default)]
pub struct MailContext {
    /// The address Noguchi is reached at (`https://noguchi.example.jp`), for links in mail.
    pub public_url: Option<String>,
}

impl MailContext {
    fn link(&self, path: &str) -> String {
        match &self.public_url {
            Some(base) => format!("{}{path}", base.trim_end_matches('/')),
            None => path.to_owned(),
        }
    }
}

fn kind_label(k: EventKind) -> &'static str {
    match k {
        EventKind::Seminar => "セミナー",
        EventKind::Exhibition => "展示会",
        EventKind::Matching => "商談・マッチング会",
        EventKind::SiteTour => "見学会",
        EventKind::NeedsPitch => "ニーズ発表会",
    }
}

/// A time span as Japanese mail writes it: 2027年1月15日（金）13:30〜16:00 (JST).
fn when_in_words(start: time::OffsetDateTime, end: time::OffsetDateTime) -> String {
    use noguchi_domain::event::JST;
    let (s, e) = (start.to_offset(JST), end.to_offset(JST));
    let weekday =
        ["月", "火", "水", "木", "金", "土", "日"][s.weekday().number_days_from_monday() as usize];
    let day =
        |t: time::OffsetDateTime| format!("{}年{}月{}日", t.year(), u8::from(t.month()), t.day());
    let hm = |t: time::OffsetDateTime| format!("{:02}:{:02}", t.hour(), t.minute());
    if s.date() == e.date() {
        format!("{}（{weekday}）{}〜{}", day(s), hm(s), hm(e))
    } else {
        format!("{}（{weekday}）{} 〜 {} {}", day(s), hm(s), day(e), hm(e))
    }
}

/// The mail a step sends. `token` is the registration's personal link secret when the step
/// created it (the confirmation carries the link; later mails refer to it).
pub fn compose(ctx: &MailContext, m: MailFor<'_>, token: Option<&str>) -> Option<MailDraft> {
    let (event, r, kind, headline) = match m {
        MailFor::Registered(e, r) => match r.status {
            RegistrationStatus::Confirmed => (
                e,
                r,
                "registration_confirmed",
                "お申し込みを受け付け、参加が確定しました。",
            ),
            RegistrationStatus::Waitlisted => (
                e,
                r,
                "registration_waitlisted",
                "定員に達しているため、キャンセル待ちとして受け付けました。空きが出ましたら、お申し込み順に参加確定のご連絡をお送りします。",
            ),
            RegistrationStatus::Cancelled => return None,
        },
        MailFor::Reminder(e, r) => (
            e,
            r,
            "event_reminder",
            "明日のご参加をお待ちしております。日時と会場をご確認ください。",
        ),
        MailFor::Followup(e, r, t) => return Some(followup(ctx, e, r, t)),
        MailFor::ConsultationWish {
            event,
            registration,
            topic,
            case_id,
            recipient,
        } => {
            return Some(consultation_wish(
                ctx,
                event,
                registration,
                topic,
                case_id,
                recipient,
            ));
        }
        MailFor::Promoted(e, r) => (
            e,
            r,
            "waitlist_promoted",
            "キャンセル待ちでお申し込みの方に空きが出たため、参加が確定しました。",
        ),
    };
    let status = match r.status {
        RegistrationStatus::Confirmed => "参加確定",
        RegistrationStatus::Waitlisted => "キャンセル待ち",
        RegistrationStatus::Cancelled => "キャンセル",
    };
    let subject = if kind == "event_reminder" {
        format!("【明日開催】{}", event.data.title)
    } else {
        format!("【{status}】{}", event.data.title)
    };
    let mut body = format!(
        "{} 様\n\n{headline}\n\n■ {}（{}）\n日時: {}\n",
        r.data.name,
        event.data.title,
        kind_label(event.data.kind),
        when_in_words(event.data.starts_at, event.data.ends_at),
    );
    if let Some(v) = &event.data.venue {
        body.push_str(&format!("会場: {v}\n"));
    }
    if let Some(u) = &event.data.online_url {
        body.push_str(&format!("オンライン: {u}\n"));
    }
    body.push_str(&format!(
        "お名前: {}\n所属: {}\n状態: {status}\n\n",
        r.data.name, r.data.organisation_name
    ));
    match token {
        Some(t) => body.push_str(&format!(
            "お申し込みの確認・キャンセルは次のページからできます。当日はこのページの受付番号をお知らせください（このリンクはご本人専用です。他の方に転送しないでください）。\n{}\n",
            ctx.link(&format!("/registrations/manage/{t}"))
        )),
        None => body.push_str(
            "お申し込みの確認・キャンセルは、最初にお送りした受付メールのリンクからできます。\n",
        ),
    }
    body.push_str("\n※このメールは送信専用です。\n");
    Some(MailDraft {
        kind,
        recipient: r.data.email.clone(),
        subject,
        body,
    })
}

/// The follow-up survey to someone who came: thanks, and their own link to answer.
fn followup(
    ctx: &MailContext,
    event: &noguchi_storage::Event,
    r: &noguchi_storage::Registration,
    token: &str,
) -> MailDraft {
    let body = format!(
        "{} 様\n\n先日は「{}」（{}）にご参加いただき、ありがとうございました。\n\n\
         今後の企画と支援のため、1分ほどのアンケートにご協力ください。ご相談を希望される場合は、\
         アンケートからお申し込みいただけます（担当者よりご連絡します）。\n{}\n\n\
         （このリンクはご本人専用です。他の方に転送しないでください。）\n\n※このメールは送信専用です。\n",
        r.data.name,
        event.data.title,
        when_in_words(event.data.starts_at, event.data.ends_at),
        ctx.link(&format!("/followup/{token}")),
    );
    MailDraft {
        kind: "event_followup",
        recipient: r.data.email.clone(),
        subject: format!("【アンケートのお願い】{}", event.data.title),
        body,
    }
}

/// To the secretariat: a participant wished a consultation; where it was filed.
fn consultation_wish(
    ctx: &MailContext,
    event: &noguchi_storage::Event,
    r: &noguchi_storage::Registration,
    topic: noguchi_domain::pipeline::ConsultationCategory,
    case_id: Option<&str>,
    recipient: &str,
) -> MailDraft {
    let topic = noguchi_domain::followup::topic_words(topic);
    let filed = match case_id {
        Some(id) => format!(
            "参入案件に次のアクションとして記録しました。\n{}\n",
            ctx.link(&format!("/entry-cases/{id}"))
        ),
        None => format!(
            "所属が名簿と結び付いていないため、案件には記録していません。所属を確認してください。\n{}\n",
            ctx.link(&format!("/events/{}/matches", event.id))
        ),
    };
    MailDraft {
        kind: "consultation_wish",
        recipient: recipient.to_owned(),
        subject: format!(
            "【相談希望】{}（{}）",
            r.data.organisation_name, event.data.title
        ),
        body: format!(
            "「{}」の参加後アンケートで、{}（{}）から相談の希望がありました。\n分野: {topic}\n\n{filed}\n\
             回答の一覧: {}\n\n※このメールは送信専用です。\n",
            event.data.title,
            r.data.name,
            r.data.organisation_name,
            ctx.link(&format!("/events/{}/followup", event.id)),
        ),
    }
}

/// Where mail is delivered: an SMTP server by URL, `smtp://host[:port]` (port 25 by default),
/// without TLS: a relay on the same host or network (Postfix, the municipality's gateway) does
/// the rest. This build leaves TLS out of lettre, so `smtps://` is refused with that reason.
pub struct Mailer {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

/// Reads `smtp://host[:port]` into its host and port.
pub fn parse_smtp_url(url: &str) -> Result<(String, u16), String> {
    let rest = url.strip_prefix("smtp://").ok_or_else(|| {
        format!("SMTP URL {url}: only smtp://host[:port] is supported (a local relay handles TLS)")
    })?;
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (
            h,
            p.parse::<u16>()
                .map_err(|_| format!("SMTP URL {url}: the port is not a number"))?,
        ),
        _ => (rest, 25),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.contains(['/', '@', '?']) {
        return Err(format!("SMTP URL {url}: no host"));
    }
    Ok((host.to_owned(), port))
}

impl Mailer {
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let (host, port) = parse_smtp_url(url)?;
        let transport =
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(host)
                .port(port)
                .timeout(Some(Duration::from_secs(20)))
                .build();
        let from = from
            .parse()
            .map_err(|e| format!("sender address {from}: {e}"))?;
        Ok(Self { transport, from })
    }

    async fn send(&self, m: &noguchi_storage::QueuedMail) -> Result<(), String> {
        use lettre::AsyncTransport;
        let to: lettre::message::Mailbox =
            m.recipient.parse().map_err(|e| format!("recipient: {e}"))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&m.subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(m.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

impl App {
    /// Delivers the mail due now; returns how many were sent.
    pub async fn deliver_mail(&self, mailer: &Mailer) -> crate::Result<usize> {
        let due = self.store.due_mail(50).await?;
        let mut sent = 0;
        for m in &due {
            match mailer.send(m).await {
                Ok(()) => {
                    self.store.mail_sent(&m.id).await?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!(mail = %m.id, error = %e, "mail not delivered; will retry");
                    self.store.mail_failed(&m.id, &e).await?;
                }
            }
        }
        Ok(sent)
    }

    /// Queues the reminders of events that begin within the next 24 hours (each confirmed
    /// registration once); they wait in the outbox like any mail.
    pub async fn queue_reminders(&self) -> crate::Result<usize> {
        let grant = noguchi_domain::access::system_grant();
        let ctx = MailContext {
            public_url: self.public_url.clone(),
        };
        let compose = move |m: MailFor<'_>| compose(&ctx, m, None);
        Ok(self
            .store
            .queue_reminders(&grant, time::Duration::hours(24), &compose)
            .await?)
    }

    /// Queues reminders every five minutes, for as long as the server runs.
    pub fn spawn_reminders(&self) {
        let app = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = app.queue_reminders().await {
                    tracing::error!(?e, "event reminders");
                }
                if let Err(e) = app.queue_report_reminders().await {
                    tracing::error!(?e, "grant report reminders");
                }
                tokio::time::sleep(Duration::from_secs(300)).await;
            }
        });
    }

    /// Delivers the outbox every two seconds, for as long as the server runs.
    pub fn spawn_mailer(&self, mailer: Mailer) {
        let app = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = app.deliver_mail(&mailer).await {
                    tracing::error!(?e, "mail delivery");
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_mail_are_japanese() {
        use noguchi_domain::event::parse_instant;
        let s = parse_instant("2027-01-15T04:30:00Z").unwrap();
        let e = parse_instant("2027-01-15T16:00:00+09:00").unwrap();
        assert_eq!(when_in_words(s, e), "2027年1月15日（金）13:30〜16:00");
    }

    #[test]
    fn smtp_urls() {
        assert_eq!(
            parse_smtp_url("smtp://127.0.0.1:2525"),
            Ok(("127.0.0.1".into(), 2525))
        );
        assert_eq!(
            parse_smtp_url("smtp://relay.example.jp"),
            Ok(("relay.example.jp".into(), 25))
        );
        assert_eq!(parse_smtp_url("smtp://[::1]:25"), Ok(("::1".into(), 25)));
        assert!(parse_smtp_url("smtps://relay.example.jp").is_err());
        assert!(parse_smtp_url("smtp://:25").is_err());
        assert!(parse_smtp_url("smtp://host:port").is_err());
    }
}
