-- A task's completion counted up the tree (issue #17, point 6): per org on the way from the
-- issuer to its targets and per deadline, the targets at or below it, done, done late. A
-- province's task is read at its root in a few rows instead of 90,000. Written with the
-- targets, moved by each report, rebuilt for an extension or a subtree move; a task written
-- before this table gets its rows the first time it is read. No path column: the rows are
-- keyed by org id and rebuilt when the tree moves.
CREATE TABLE task_rollup (
    task_id   BIGINT NOT NULL,
    org_id    BIGINT NOT NULL,
    deadline  TEXT NOT NULL,
    targets   BIGINT NOT NULL,
    done      BIGINT NOT NULL,
    done_late BIGINT NOT NULL,
    PRIMARY KEY (task_id, org_id, deadline)
);
