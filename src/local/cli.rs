//! The `comwit-local` command line.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use super::{serve, Admin, Config};

#[derive(Parser, Debug)]
#[command(
    name = "comwit-local",
    version,
    about = "A local Comwit platform: the platform API on SQLite, for trying the provider without an account"
)]
pub struct Cli {
    /// Data directory (SQLite file, dev-token, address).
    #[arg(
        long,
        global = true,
        env = "COMWIT_LOCAL_DATA",
        default_value = ".comwit-local"
    )]
    pub data: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the platform API.
    Serve(Box<ServeArgs>),
    /// Manage users.
    #[command(subcommand)]
    User(UserCmd),
    /// Manage project membership.
    #[command(subcommand)]
    Member(MemberCmd),
    /// Manage tokens.
    #[command(subcommand)]
    Token(TokenCmd),
    /// List projects and their members.
    Projects,
    /// Manage projects as the Comwit console does (the public API only lists them).
    #[command(subcommand)]
    Project(ProjectCmd),
}

#[derive(Subcommand, Debug)]
pub enum ProjectCmd {
    /// Create a project (printing its ID), with the given users as members.
    Create {
        /// The project's name, a DNS label.
        name: String,
        /// A user to make a member (repeatable); default: the dev user.
        #[arg(long = "member", default_values_t = vec!["dev".to_string()])]
        members: Vec<String>,
    },
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address of the platform API; port 0 picks a free port (written to DIR/address and
    /// DIR/listeners.json).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// Address of the databases' libSQL listener (Hrana over HTTP).
    #[arg(long, default_value = "127.0.0.1:8788")]
    pub db_listen: SocketAddr,
    /// Address of the apps' HTTP listener, routed by the Host header.
    #[arg(long, default_value = "127.0.0.1:8789")]
    pub apps_listen: SocketAddr,
    /// Address of the DNS listener (UDP and TCP), authoritative for the onboarded domains.
    #[arg(long, default_value = "127.0.0.1:8753")]
    pub dns_listen: SocketAddr,
    /// Address of the storages' S3 endpoint (path-style buckets; credentials in
    /// DIR/s3-credentials.json).
    #[arg(long, default_value = "127.0.0.1:8790")]
    pub storage_listen: SocketAddr,
    /// DNS server (HOST:PORT) to look for Manual DNS records at.
    #[arg(long, value_parser = parse_resolver)]
    pub resolver: Option<SocketAddr>,
    /// Fraction of requests (0..1) answered 500/502/503, some after the change was committed.
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Share (0..1) of the injected failures that come after the change was committed.
    #[arg(long, default_value_t = 0.5)]
    pub fail_after_share: f64,
    /// Requests per second per token; beyond it 429 with Retry-After.
    #[arg(long)]
    pub rate_limit: Option<u32>,
    /// A route (`POST /v1/projects/{project_id}/databases`) whose next request does its work
    /// and loses its answer (502); repeat it for more.
    #[arg(long = "lose-answer", value_name = "METHOD ROUTE")]
    pub lose_answers: Vec<String>,
    /// Milliseconds added to every request.
    #[arg(long, default_value_t = 0)]
    pub latency: u64,
    /// Milliseconds a new database stays `creating` before it is `cold`.
    #[arg(long, default_value_t = 1000)]
    pub database_delay: u64,
    /// Milliseconds a new domain stays `pending_delegation` (0: active at once).
    #[arg(long, default_value_t = 1000)]
    pub domain_delay: u64,
    /// Milliseconds between background checks of pending Manual DNS hostnames.
    #[arg(long, default_value_t = 1000)]
    pub dns_check_interval: u64,
    /// Milliseconds between snapshots of the databases written to (each a restore point).
    #[arg(long, default_value_t = 1000)]
    pub snapshot_interval: u64,
    /// Largest deploy bundle in bytes.
    #[arg(long, default_value_t = 64 << 20)]
    pub max_bundle_bytes: usize,
    /// Base URL of `database_url` (default: the database listener's URL).
    #[arg(long)]
    pub database_url_base: Option<String>,
    /// Answer the extension routes (capabilities with no public route yet: project create,
    /// rollback, ...) 404, as the public platform does.
    #[arg(long)]
    pub no_extensions: bool,
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Add a user.
    Add { name: String },
    /// List users.
    List,
}

#[derive(Subcommand, Debug)]
pub enum MemberCmd {
    /// Make a user a member of a project.
    Add {
        #[arg(long)]
        project: String,
        #[arg(long)]
        user: String,
    },
    /// Remove a user from a project.
    Remove {
        #[arg(long)]
        project: String,
        #[arg(long)]
        user: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Create a token and print its secret (shown once).
    Create {
        #[arg(long)]
        user: String,
        /// Comma-separated scopes, or `all`.
        #[arg(long, default_value = "all", value_delimiter = ',')]
        scopes: Vec<String>,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by its token_id.
    Revoke { token_id: String },
}

fn parse_resolver(s: &str) -> Result<SocketAddr, String> {
    s.to_socket_addrs()
        .map_err(|e| format!("invalid resolver {s:?}: {e}"))?
        .next()
        .ok_or_else(|| format!("resolver {s:?} resolves to no address"))
}

/// Run the command line; the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("comwit-local: {e}");
            1
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve(args) => serve_cmd(cli.data, *args),
        Command::User(UserCmd::Add { name }) => {
            let u = Admin::open(&cli.data)?.create_user(&name)?;
            println!("{}\t{}", u.user_id, u.name);
            Ok(())
        }
        Command::User(UserCmd::List) => {
            for u in Admin::open(&cli.data)?.users()? {
                println!("{}\t{}\t{}", u.user_id, u.name, u.created_at);
            }
            Ok(())
        }
        Command::Member(MemberCmd::Add { project, user }) => {
            Admin::open(&cli.data)?.add_member(&project, &user)?;
            println!("{user} is a member of {project}");
            Ok(())
        }
        Command::Member(MemberCmd::Remove { project, user }) => {
            Admin::open(&cli.data)?.remove_member(&project, &user)?;
            println!("{user} is no longer a member of {project}");
            Ok(())
        }
        Command::Token(TokenCmd::Create { user, scopes, name }) => {
            let scopes: Vec<&str> = scopes
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect();
            let t = Admin::open(&cli.data)?.create_token(&user, &scopes, &name)?;
            eprintln!(
                "token {} for {user} with scopes {}",
                t.token_id,
                t.scopes.join(",")
            );
            println!("{}", t.secret);
            Ok(())
        }
        Command::Token(TokenCmd::List) => {
            for t in Admin::open(&cli.data)?.tokens()? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    t.token_id,
                    t.user,
                    t.name,
                    t.scopes.join(","),
                    t.created_at
                );
            }
            Ok(())
        }
        Command::Token(TokenCmd::Revoke { token_id }) => {
            Admin::open(&cli.data)?.revoke_token(&token_id)?;
            println!("revoked {token_id}");
            Ok(())
        }
        Command::Project(ProjectCmd::Create { name, members }) => {
            let members: Vec<&str> = members.iter().map(String::as_str).collect();
            let id = Admin::open(&cli.data)?.create_project(&name, &members)?;
            println!("{id}");
            Ok(())
        }
        Command::Projects => {
            for p in Admin::open(&cli.data)?.projects()? {
                println!("{}\t{}\t{}", p.project_id, p.name, p.members.join(","));
            }
            Ok(())
        }
    }
}

fn serve_cmd(data: PathBuf, args: ServeArgs) -> Result<(), String> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("COMWIT_LOCAL_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new(
                    "info,hickory_server=warn,hickory_net=warn,hickory_resolver=warn",
                )
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    if !(0.0..=1.0).contains(&args.fail_rate) {
        return Err("--fail-rate must be between 0 and 1".into());
    }
    if !(0.0..=1.0).contains(&args.fail_after_share) {
        return Err("--fail-after-share must be between 0 and 1".into());
    }
    let config = Config {
        listen: args.listen,
        db_listen: args.db_listen,
        apps_listen: args.apps_listen,
        dns_listen: args.dns_listen,
        storage_listen: args.storage_listen,
        data_dir: data.clone(),
        resolver: args.resolver,
        fail_rate: args.fail_rate,
        fail_after_share: args.fail_after_share,
        rate_limit: args.rate_limit.filter(|n| *n > 0),
        lose_answers: args.lose_answers.clone(),
        latency: Duration::from_millis(args.latency),
        database_provision_delay: Duration::from_millis(args.database_delay),
        domain_activation_delay: Duration::from_millis(args.domain_delay),
        dns_check_interval: Duration::from_millis(args.dns_check_interval),
        snapshot_interval: Duration::from_millis(args.snapshot_interval),
        max_bundle_bytes: args.max_bundle_bytes,
        database_url_base: args.database_url_base,
        extensions: !args.no_extensions,
        ..Config::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let server = serve(config).await?;
        println!("comwit-local listening on {}", server.url());
        println!("data directory: {}", data.display());
        match server.dev_token() {
            Some(t) => println!("dev token: {t}"),
            None => println!(
                "dev token: see {}",
                data.join(super::admin::DEV_TOKEN_FILE).display()
            ),
        }
        let listeners = server.listeners();
        println!("databases (libSQL): {}", listeners.db);
        println!("apps (by Host): {}", listeners.apps);
        println!("DNS (UDP and TCP): {}", listeners.dns);
        println!("listeners: {}", data.join(super::LISTENERS_FILE).display());
        server.run_until_signal().await;
        Ok(())
    })
}
