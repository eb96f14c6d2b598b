//! Faults are errors, never silent defaults: a projection whose checkpoint row
//! is missing stops instead of starting over from position 0.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use hoso_ledger::Ledger;
use hoso_projections::runner::{catch_up, checkpoint, ensure, Target};
use hoso_projections::{Projection, ProjectionError};
use hoso_tests::{both_backends, TestDb};

both_backends!(
    a_missing_projection_checkpoint_is_an_error,
    |db: TestDb| async move {
        let ledger = Ledger::open(&db.url).await.unwrap().without_privacy();
        let t = Target::live(Projection::CaseView);
        ensure(ledger.db(), &t).await.unwrap();
        assert_eq!(checkpoint(ledger.db(), &t).await.unwrap(), 0);
        db.sql("DELETE FROM projection_checkpoint WHERE name = 'case_view'")
            .await
            .unwrap();
        let e = checkpoint(ledger.db(), &t).await.unwrap_err();
        assert!(matches!(e, ProjectionError::NoCheckpoint(_)), "{e}");
        let e = catch_up(&ledger, &t, None).await.unwrap_err();
        assert!(matches!(e, ProjectionError::NoCheckpoint(_)), "{e}");
        ledger.db().close().await;
        db.drop_db().await;
    }
);
