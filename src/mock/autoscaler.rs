//! TODO
use super::state::State;
pub fn start(_s: State) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async {})
}
