//! The public page's answers written together (group commit). A survey of a village is
//! answered by many phones at once; each answer is a token marked used and a response
//! written, and on SQLite every transaction waits for the disk (`synchronous=FULL`). One
//! writer per process takes the answers that arrived meanwhile — up to [`BATCH_MAX`] — and
//! writes them in one transaction, each still checked on its own (the survey still open,
//! its token unused); every answer is acknowledged only after that transaction committed.
//! A batch that fails is written again answer by answer, so one answer's error is its own.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use jiceng_store::surveys::{self as store, StoredResponse};
use jiceng_store::Store;
use tokio::sync::{mpsc, oneshot};

use super::Ballot;
use crate::audit;
use crate::{App, AppError, Result};

/// Answers one transaction takes at the most.
pub const BATCH_MAX: usize = 64;

/// An answer to write: the survey, the token's hash, the response.
pub(crate) struct Answer {
    pub survey_id: i64,
    pub hash: String,
    pub response: StoredResponse,
}

/// `None`: recorded. `Some`: refused, with the ballot as it stands (closed, used).
type Outcome = Result<Option<Ballot>>;

struct Pending {
    answer: Answer,
    done: oneshot::Sender<Outcome>,
}

/// The writer of a process (of an [`App`] and its clones), started with the first answer.
#[derive(Clone, Default)]
pub struct AnswerQueue(Arc<OnceLock<mpsc::Sender<Pending>>>);

impl AnswerQueue {
    fn sender(&self, store: &Store) -> &mpsc::Sender<Pending> {
        self.0.get_or_init(|| {
            let (tx, rx) = mpsc::channel(4 * BATCH_MAX);
            tokio::spawn(run(store.clone(), rx));
            tx
        })
    }
}

/// Writes `answer` with the others waiting, and returns once it is committed (or refused).
pub(crate) async fn write(app: &App, answer: Answer) -> Outcome {
    let (done, wait) = oneshot::channel();
    let pending = Pending { answer, done };
    if let Err(mpsc::error::SendError(p)) = app.answers.sender(&app.store).send(pending).await {
        // The writer's runtime has ended (a test's): written alone.
        return write_alone(&app.store, &p.answer).await;
    }
    wait.await.map_err(|_| {
        AppError::Input("测评答卷未能确认保存，请重新打开测评页查看是否已提交".into())
    })?
}

async fn run(store: Store, mut rx: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(BATCH_MAX);
    while rx.recv_many(&mut batch, BATCH_MAX).await > 0 {
        let answers: Vec<&Answer> = batch.iter().map(|p| &p.answer).collect();
        let written = audit::with_retry(|| write_all(&store, &answers)).await;
        drop(answers);
        match written {
            Ok(outcomes) => {
                for (p, o) in batch.drain(..).zip(outcomes) {
                    let _ = p.done.send(Ok(o));
                }
            }
            Err(_) => {
                for p in batch.drain(..) {
                    let o = write_alone(&store, &p.answer).await;
                    let _ = p.done.send(o);
                }
            }
        }
    }
}

async fn write_alone(store: &Store, a: &Answer) -> Outcome {
    let one = [a];
    let mut o = audit::with_retry(|| write_all(store, &one)).await?;
    Ok(o.pop().flatten())
}

/// One transaction: the answers' surveys held open in id order (so a close waits for
/// them or comes before them), each answer's token marked used once, the responses
/// written and counted into their surveys' figures and the tallies above.
async fn write_all(store: &Store, answers: &[&Answer]) -> Result<Vec<Option<Ballot>>> {
    let mut tx = store.begin().await?;
    let mut ids: Vec<i64> = answers.iter().map(|a| a.survey_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut open: HashMap<i64, bool> = HashMap::with_capacity(ids.len());
    for id in ids {
        open.insert(id, store::hold_open_for_answers(&mut tx, id).await?);
    }
    let mut out = Vec::with_capacity(answers.len());
    let mut written: Vec<StoredResponse> = Vec::with_capacity(answers.len());
    for a in answers {
        out.push(if !open[&a.survey_id] {
            Some(Ballot::Closed)
        } else if !store::use_token(&mut tx, &a.hash).await? {
            Some(Ballot::Used)
        } else {
            written.push(a.response.clone());
            None
        });
    }
    store::add_responses(&mut tx, &written).await?;
    tx.commit().await?;
    Ok(out)
}
