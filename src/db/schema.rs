// The database schema, identical on SQLite and PostgreSQL (see migrations/). Kept by hand in step
// with the migrations; `tests/it/schema.rs` checks both backends against this file's tables.
diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}
diesel::table! {
    units (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        sort_order -> BigInt,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
diesel::table! {
    unit_aliases (id) {
        id -> Text,
        unit_id -> Text,
        alias -> Text,
    }
}
diesel::table! {
    unit_emails (id) {
        id -> Text,
        unit_id -> Text,
        email -> Text,
    }
}
diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        role -> Text,
        unit_id -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        locale -> Text,
        disabled_at -> Nullable<Timestamp>,
        last_login_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}
diesel::table! {
    password_resets (id) {
        id -> Text,
        user_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}
diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        secret_hash -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        user_agent -> Text,
        client_address -> Text,
    }
}
diesel::table! {
    consultations (id) {
        id -> Text,
        slug -> Text,
        title -> Text,
        draft_title -> Text,
        description -> Text,
        contact -> Text,
        status -> Text,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        short_window_reason -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        closed_early_reason -> Nullable<Text>,
        require_name -> Bool,
        channels -> Text,
        report_config -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        sample -> Bool,
    }
}
diesel::table! {
    draft_versions (id) {
        id -> Text,
        consultation_id -> Text,
        version_no -> BigInt,
        label -> Text,
        title -> Nullable<Text>,
        source_text -> Text,
        source_filename -> Nullable<Text>,
        front_matter -> Text,
        trailer -> Text,
        is_current -> Bool,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}
diesel::table! {
    clauses (id) {
        id -> Text,
        version_id -> Text,
        parent_id -> Nullable<Text>,
        position -> BigInt,
        depth -> BigInt,
        label -> Text,
        heading -> Nullable<Text>,
        body -> Text,
        path -> Text,
    }
}
diesel::table! {
    duties (id) {
        id -> Text,
        clause_id -> Text,
        position -> BigInt,
        raw -> Text,
    }
}
diesel::table! {
    duty_units (id) {
        id -> Text,
        duty_id -> Text,
        role -> Text,
        position -> BigInt,
        unit_name -> Text,
        unit_id -> Nullable<Text>,
    }
}
diesel::table! {
    solicitations (id) {
        id -> Text,
        consultation_id -> Text,
        unit_id -> Text,
        state -> Text,
        deadline -> Timestamp,
        note -> Nullable<Text>,
        invited_by -> Nullable<Text>,
        invited_at -> Timestamp,
        replied_by -> Nullable<Text>,
        replied_at -> Nullable<Timestamp>,
        last_reminded_at -> Nullable<Timestamp>,
        closed_early_at -> Nullable<Timestamp>,
        closed_early_reason -> Nullable<Text>,
    }
}
diesel::table! {
    attachments (id) {
        id -> Text,
        sha256 -> Text,
        size_bytes -> BigInt,
        media_type -> Text,
        filename -> Text,
        uploaded_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}
diesel::table! {
    submissions (id) {
        id -> Text,
        consultation_id -> Text,
        tracking_code -> Text,
        channel -> Text,
        state -> Text,
        name -> Nullable<Text>,
        organization -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        publish_name -> Bool,
        unit_id -> Nullable<Text>,
        solicitation_id -> Nullable<Text>,
        body -> Text,
        locale -> Text,
        idempotency_key -> Nullable<Text>,
        display_order -> Nullable<BigInt>,
        attachment_id -> Nullable<Text>,
        recorded_by -> Nullable<Text>,
        received_at -> Timestamp,
    }
}
diesel::table! {
    submission_clauses (submission_id, clause_id) {
        submission_id -> Text,
        clause_id -> Text,
    }
}
diesel::table! {
    opinion_clusters (id) {
        id -> Text,
        consultation_id -> Text,
        representative_opinion_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
diesel::table! {
    opinions (id) {
        id -> Text,
        consultation_id -> Text,
        submission_id -> Text,
        position -> BigInt,
        received_text -> Text,
        summary -> Text,
        state -> Text,
        cluster_id -> Nullable<Text>,
        assignee_user_id -> Nullable<Text>,
        assignee_unit_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        needs_signature -> Bool,
    }
}
diesel::table! {
    opinion_clauses (opinion_id, clause_id) {
        opinion_id -> Text,
        clause_id -> Text,
        linked_by -> Nullable<Text>,
        linked_at -> Timestamp,
    }
}
diesel::table! {
    decision_statuses (code) {
        code -> Text,
        label_zh -> Text,
        label_en -> Text,
        requires_rationale -> Bool,
        counts_as -> Text,
        position -> BigInt,
        enabled -> Bool,
    }
}
diesel::table! {
    decisions (id) {
        id -> Text,
        opinion_id -> Text,
        status -> Text,
        rationale -> Nullable<Text>,
        state -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Timestamp,
        approved_by -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
        return_note -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}
diesel::table! {
    decision_history (id) {
        id -> Text,
        opinion_id -> Text,
        action -> Text,
        status -> Text,
        rationale -> Nullable<Text>,
        note -> Nullable<Text>,
        actor_user_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}
diesel::table! {
    rationale_phrases (id) {
        id -> Text,
        text -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}
diesel::table! {
    publications (id) {
        id -> Text,
        consultation_id -> Text,
        edition_no -> BigInt,
        title -> Text,
        model_json -> Text,
        public_model_json -> Text,
        published_by -> Nullable<Text>,
        published_at -> Timestamp,
        complete -> Bool,
        followed_up -> Bool,
    }
}
diesel::table! {
    publication_snapshots (publication_id, edition, seq) {
        publication_id -> Text,
        edition -> Text,
        seq -> BigInt,
        part -> Text,
    }
}
diesel::table! {
    publication_decisions (id) {
        id -> Text,
        publication_id -> Text,
        submission_id -> Text,
        opinion_id -> Text,
        position -> BigInt,
        opinion -> Text,
        status -> Text,
        status_label -> Text,
        rationale -> Nullable<Text>,
    }
}
diesel::table! {
    audit_events (id) {
        id -> Text,
        at -> Timestamp,
        actor_user_id -> Nullable<Text>,
        actor_label -> Text,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        consultation_id -> Nullable<Text>,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}
diesel::table! {
    outbox_messages (id) {
        id -> Text,
        kind -> Text,
        to_address -> Text,
        locale -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Nullable<Text>,
        message_id -> Text,
        state -> Text,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        related_type -> Nullable<Text>,
        related_id -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
    }
}
diesel::table! {
    draft_imports (id) {
        id -> Text,
        consultation_id -> Text,
        filename -> Nullable<Text>,
        encoding -> Text,
        source_text -> Text,
        ops_json -> Text,
        saved_version_id -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    opinion_signatures (opinion_id) {
        opinion_id -> Text,
        consultation_id -> Text,
        signature -> Text,
        detached -> Bool,
        computed_at -> Timestamp,
    }
}
diesel::table! {
    opinion_bands (consultation_id, band_key, opinion_id) {
        consultation_id -> Text,
        band_key -> BigInt,
        opinion_id -> Text,
    }
}
diesel::joinable!(opinion_signatures -> opinions (opinion_id));
diesel::joinable!(opinion_bands -> opinions (opinion_id));
diesel::joinable!(draft_imports -> consultations (consultation_id));
diesel::joinable!(unit_aliases -> units (unit_id));
diesel::joinable!(unit_emails -> units (unit_id));
diesel::joinable!(users -> units (unit_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(password_resets -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(consultations -> users (created_by));
diesel::joinable!(draft_versions -> consultations (consultation_id));
diesel::joinable!(draft_versions -> users (created_by));
diesel::joinable!(clauses -> draft_versions (version_id));
diesel::joinable!(duties -> clauses (clause_id));
diesel::joinable!(duty_units -> duties (duty_id));
diesel::joinable!(duty_units -> units (unit_id));
diesel::joinable!(solicitations -> consultations (consultation_id));
diesel::joinable!(solicitations -> units (unit_id));
diesel::joinable!(attachments -> users (uploaded_by));
diesel::joinable!(submissions -> consultations (consultation_id));
diesel::joinable!(submissions -> units (unit_id));
diesel::joinable!(submissions -> solicitations (solicitation_id));
diesel::joinable!(submissions -> attachments (attachment_id));
diesel::joinable!(submissions -> users (recorded_by));
diesel::joinable!(submission_clauses -> submissions (submission_id));
diesel::joinable!(submission_clauses -> clauses (clause_id));
diesel::joinable!(opinion_clusters -> consultations (consultation_id));
diesel::joinable!(opinions -> consultations (consultation_id));
diesel::joinable!(opinions -> submissions (submission_id));
diesel::joinable!(opinions -> opinion_clusters (cluster_id));
diesel::joinable!(opinions -> users (assignee_user_id));
diesel::joinable!(opinions -> units (assignee_unit_id));
diesel::joinable!(opinion_clauses -> opinions (opinion_id));
diesel::joinable!(opinion_clauses -> clauses (clause_id));
diesel::joinable!(opinion_clauses -> users (linked_by));
diesel::joinable!(decisions -> opinions (opinion_id));
diesel::joinable!(publication_decisions -> publications (publication_id));
diesel::joinable!(publication_decisions -> submissions (submission_id));
diesel::joinable!(decisions -> decision_statuses (status));
diesel::joinable!(decision_history -> opinions (opinion_id));
diesel::joinable!(decision_history -> users (actor_user_id));
diesel::joinable!(rationale_phrases -> users (created_by));
diesel::joinable!(publications -> consultations (consultation_id));
diesel::joinable!(publications -> users (published_by));
diesel::joinable!(audit_events -> users (actor_user_id));
diesel::joinable!(audit_events -> consultations (consultation_id));

diesel::table! {
    solicitation_replies (id) {
        id -> Text,
        solicitation_id -> Text,
        version -> BigInt,
        kind -> Text,
        note -> Nullable<Text>,
        channel -> Text,
        submission_id -> Nullable<Text>,
        attachment_id -> Nullable<Text>,
        opinion_count -> BigInt,
        submitted_by -> Nullable<Text>,
        submitted_at -> Timestamp,
    }
}
diesel::joinable!(solicitation_replies -> solicitations (solicitation_id));
diesel::joinable!(solicitation_replies -> submissions (submission_id));
diesel::joinable!(solicitation_replies -> attachments (attachment_id));
diesel::joinable!(solicitation_replies -> users (submitted_by));

diesel::table! {
    opinion_changes (opinion_id, clause_id) {
        opinion_id -> Text,
        clause_id -> Text,
        state -> Text,
        linked_by -> Nullable<Text>,
        linked_at -> Timestamp,
    }
}
diesel::joinable!(opinion_changes -> opinions (opinion_id));
diesel::joinable!(opinion_changes -> clauses (clause_id));
diesel::joinable!(opinion_changes -> users (linked_by));
diesel::table! {
    consultation_documents (id) {
        id -> Text,
        consultation_id -> Text,
        kind -> Text,
        title -> Text,
        attachment_id -> Text,
        position -> BigInt,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}
diesel::joinable!(consultation_documents -> consultations (consultation_id));
diesel::joinable!(consultation_documents -> attachments (attachment_id));

diesel::table! {
    change_notes (clause_id) {
        clause_id -> Text,
        note -> Text,
        noted_by -> Nullable<Text>,
        noted_at -> Timestamp,
    }
}
diesel::joinable!(change_notes -> clauses (clause_id));

diesel::allow_tables_to_appear_in_same_query!(
    change_notes,
    consultation_documents,
    opinion_changes,
    solicitation_replies,
    draft_imports,
    publication_decisions,
    settings,
    units,
    unit_aliases,
    unit_emails,
    users,
    api_tokens,
    password_resets,
    sessions,
    consultations,
    draft_versions,
    clauses,
    duties,
    duty_units,
    solicitations,
    attachments,
    submissions,
    submission_clauses,
    opinion_clusters,
    opinions,
    opinion_clauses,
    decision_statuses,
    decisions,
    decision_history,
    rationale_phrases,
    publications,
    audit_events,
    outbox_messages,
    opinion_signatures,
    opinion_bands,
);
