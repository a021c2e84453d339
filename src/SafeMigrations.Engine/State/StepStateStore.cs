using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Planning;

namespace SafeMigrations.Engine.State
{
    /// <summary>Status of a step in the state table.</summary>
    public enum StepStatus
    {
        /// <summary>Started and not finished: it was interrupted, or is running now.</summary>
        Running,

        /// <summary>Finished and verified.</summary>
        Completed,

        /// <summary>Failed; the error column says why.</summary>
        Failed,
    }

    /// <summary>One row of <c>safemigrations.state</c>.</summary>
    public sealed class StepState
    {
        internal StepState(string migrationId, int stepIndex, string stepKind, StepStatus status, string? position, int attempts, DateTime startedAt, DateTime? finishedAt, string? error, string? errorCode = null, string? fingerprint = null)
        {
            ErrorCode = errorCode;
            Fingerprint = fingerprint;
            MigrationId = migrationId;
            StepIndex = stepIndex;
            StepKind = stepKind;
            Status = status;
            Position = position;
            Attempts = attempts;
            StartedAt = startedAt;
            FinishedAt = finishedAt;
            Error = error;
        }

        /// <summary>EF migration id, e.g. <c>20240101120000_AddOrders</c>.</summary>
        public string MigrationId { get; }

        /// <summary>Index of the step in the migration's plan.</summary>
        public int StepIndex { get; }

        /// <summary>What the step does, e.g. <c>create-index-concurrently</c>, <c>backfill</c>.</summary>
        public string StepKind { get; }

        /// <summary>Where the step stands.</summary>
        public StepStatus Status { get; }

        /// <summary>Resume position (a serialized backfill position), if any.</summary>
        public string? Position { get; }

        /// <summary>How many times the step was started.</summary>
        public int Attempts { get; }

        /// <summary>When the step was last started (UTC).</summary>
        public DateTime StartedAt { get; }

        /// <summary>When it completed or failed (UTC), or null while running.</summary>
        public DateTime? FinishedAt { get; }

        /// <summary>Error of the last failure.</summary>
        public string? Error { get; }

        /// <summary>Engine code of the last failure (SM1002, SM1003, ...), or null when none was recorded.</summary>
        public string? ErrorCode { get; }

        /// <summary>
        /// <see cref="StepFingerprint"/> of the step as it was when it ran; null for rows written by a version of
        /// SafeMigrations before fingerprints (those are matched by kind only).
        /// </summary>
        public string? Fingerprint { get; }
    }

    /// <summary>
    /// The engine's record of every step it runs, in <c>safemigrations.state</c>, so that a rerun after a crash
    /// skips completed steps and resumes a backfill from its last committed position. Each call is its own
    /// autocommitted statement, so the record survives whatever the step's own transaction does; the few that take a
    /// transaction are the records that must commit together with the work (a step's own transaction, the EF history row).
    /// All SQL on the state table lives here.
    /// </summary>
    public sealed class StepStateStore
    {
        /// <summary>Schema of the state table.</summary>
        public const string SchemaName = "safemigrations";

        /// <summary>Name of the state table.</summary>
        public const string TableName = "state";

        private static readonly string Table = SqlIdentifier.Qualify(SchemaName, TableName);

        private const string CompletedSet = "status = 'completed', finished_at = now(), error = NULL";

        private readonly NpgsqlConnection _connection;

        /// <summary>Uses <paramref name="connection"/> (open, outside a transaction) for every call.</summary>
        public StepStateStore(NpgsqlConnection connection)
        {
            _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        }

        /// <summary>Creates the schema and table when missing. Run while holding the <see cref="ExecutorLock"/>.</summary>
        public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
        {
            string sql = $@"
CREATE SCHEMA IF NOT EXISTS {SqlIdentifier.Quote(SchemaName)};
CREATE TABLE IF NOT EXISTS {Table} (
    migration_id text NOT NULL,
    step_index integer NOT NULL,
    step_kind text NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    position text,
    attempts integer NOT NULL DEFAULT 0,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    error text,
    PRIMARY KEY (migration_id, step_index)
);
ALTER TABLE {Table} ADD COLUMN IF NOT EXISTS fingerprint text";
            await ExecuteAsync(sql, null, cancellationToken).ConfigureAwait(false);

            // error_code: the engine code of a failure, so status repeats SM1003 as SM1003. Its own statement: tables
            // created by earlier versions get it here too.
            await ExecuteAsync($"ALTER TABLE {Table} ADD COLUMN IF NOT EXISTS error_code text", null, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Marks a step running and counts the attempt. A position recorded by an interrupted earlier run is kept,
        /// so the caller can read it and resume.
        /// </summary>
        public Task RecordStartAsync(string migrationId, int stepIndex, string stepKind, CancellationToken cancellationToken = default)
            => RecordStartAsync(migrationId, stepIndex, stepKind, null, cancellationToken);

        /// <summary>
        /// Marks a step running, counts the attempt and records its <see cref="StepFingerprint"/>. A position recorded
        /// by an interrupted earlier run is kept, so the caller can read it and resume.
        /// </summary>
        public Task RecordStartAsync(string migrationId, int stepIndex, string stepKind, string? fingerprint, CancellationToken cancellationToken = default)
        {
            string sql = $@"
INSERT INTO {Table} (migration_id, step_index, step_kind, status, attempts, started_at, fingerprint)
VALUES (@migration, @step, @kind, 'running', 1, now(), @fingerprint)
ON CONFLICT (migration_id, step_index) DO UPDATE
SET step_kind = excluded.step_kind, status = 'running', attempts = {Table}.attempts + 1,
    started_at = now(), finished_at = NULL, error = NULL, error_code = NULL, fingerprint = coalesce(excluded.fingerprint, {Table}.fingerprint)";
            return ExecuteAsync(sql, command =>
            {
                Key(command, migrationId, stepIndex);
                command.Parameters.AddWithValue("kind", stepKind);
                command.Parameters.Add(new NpgsqlParameter("fingerprint", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)fingerprint ?? DBNull.Value });
            }, cancellationToken);
        }

        /// <summary>Replaces a recorded step's fingerprint (an edit the user accepted, see <see cref="RecordedProgressCheck"/>).</summary>
        public Task RecordFingerprintAsync(string migrationId, int stepIndex, string fingerprint, CancellationToken cancellationToken = default)
        {
            return UpdateAsync("fingerprint = @fingerprint", migrationId, stepIndex, command => command.Parameters.AddWithValue("fingerprint", fingerprint), cancellationToken);
        }

        /// <summary>Saves a resume position (call after each committed batch).</summary>
        public Task RecordProgressAsync(string migrationId, int stepIndex, string position, CancellationToken cancellationToken = default)
        {
            return UpdateAsync("position = @position", migrationId, stepIndex, command => command.Parameters.AddWithValue("position", position), cancellationToken);
        }

        /// <summary>
        /// Saves one segment of a segmented backfill position, inside a worker's batch transaction on that worker's own
        /// connection. Only the segment's slot changes, so workers never overwrite each other's progress; under READ
        /// COMMITTED a worker whose update waits for another's commit applies its change to the row that commit left.
        /// </summary>
        public static async Task RecordSegmentAsync(NpgsqlTransaction transaction, string migrationId, int stepIndex, int segment, string segmentJson, CancellationToken cancellationToken = default)
        {
            await using var command = new NpgsqlCommand(
                $"UPDATE {Table} SET position = jsonb_set(position::jsonb, ARRAY['segments', @segment::text], @value::jsonb)::text WHERE migration_id = @migration AND step_index = @step",
                transaction.Connection,
                transaction);
            Key(command, migrationId, stepIndex);
            command.Parameters.AddWithValue("segment", segment);
            command.Parameters.AddWithValue("value", segmentJson);
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                throw new InvalidOperationException($"Step {stepIndex} of migration {migrationId} was never started (RecordStartAsync first).");
        }

        /// <summary>Marks a step completed.</summary>
        public Task RecordCompletionAsync(string migrationId, int stepIndex, CancellationToken cancellationToken = default)
        {
            return UpdateAsync(CompletedSet, migrationId, stepIndex, null, cancellationToken);
        }

        /// <summary>
        /// Marks a step completed inside <paramref name="transaction"/>, the step's own: a crash can never leave the step
        /// done but unrecorded. The row exists (<see cref="RecordStartAsync(string, int, string, string?, CancellationToken)"/> ran first).
        /// </summary>
        internal Task RecordCompletionAsync(string migrationId, int stepIndex, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            return ExecuteAsync($"UPDATE {Table} SET {CompletedSet} WHERE migration_id = @migration AND step_index = @step", command => Key(command, migrationId, stepIndex), cancellationToken, transaction);
        }

        /// <summary>
        /// Records, inside the transaction that writes a migration's EF history row, that SafeMigrations wrote it: row
        /// <paramref name="markerStep"/> of the migration, completed.
        /// </summary>
        internal Task RecordHistoryMarkerAsync(string migrationId, int markerStep, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            string sql = $@"INSERT INTO {Table} (migration_id, step_index, step_kind, status, attempts, finished_at)
VALUES (@migration, @step, 'history', 'completed', 1, now())
ON CONFLICT (migration_id, step_index) DO UPDATE SET status = 'completed', finished_at = now()";
            return ExecuteAsync(sql, command => Key(command, migrationId, markerStep), cancellationToken, transaction);
        }

        /// <summary>Marks a step failed with its error (the position stays for a resume).</summary>
        public Task RecordFailureAsync(string migrationId, int stepIndex, string error, CancellationToken cancellationToken = default)
        {
            return UpdateAsync("status = 'failed', finished_at = now(), error = @error", migrationId, stepIndex, command => command.Parameters.AddWithValue("error", error), cancellationToken);
        }

        /// <summary>Marks a step failed with its error and engine code (the position stays for a resume).</summary>
        public Task RecordFailureAsync(string migrationId, int stepIndex, string error, string code, CancellationToken cancellationToken = default)
        {
            return UpdateAsync("status = 'failed', finished_at = now(), error = @error, error_code = @code", migrationId, stepIndex, command =>
            {
                command.Parameters.AddWithValue("error", error);
                command.Parameters.AddWithValue("code", code);
            }, cancellationToken);
        }

        /// <summary>Forgets a step (after it was rolled back).</summary>
        public Task RemoveAsync(string migrationId, int stepIndex, CancellationToken cancellationToken = default)
        {
            return ExecuteAsync($"DELETE FROM {Table} WHERE migration_id = @migration AND step_index = @step", command => Key(command, migrationId, stepIndex), cancellationToken);
        }

        /// <summary>Forgets every step of a migration and its history marker, inside the transaction that deletes its EF history row.</summary>
        internal Task RemoveMigrationAsync(string migrationId, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            return ExecuteAsync($"DELETE FROM {Table} WHERE migration_id = @migration", command => command.Parameters.AddWithValue("migration", migrationId), cancellationToken, transaction);
        }

        /// <summary>True when the state table exists (status and plan read a database that apply may never have touched).</summary>
        internal async Task<bool> ExistsAsync(CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand($"SELECT to_regclass({CatalogChecks.Literal(Table)}) IS NOT NULL", _connection);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }

        /// <summary>One step's row, or null when it never started.</summary>
        public async Task<StepState?> GetAsync(string migrationId, int stepIndex, CancellationToken cancellationToken = default)
        {
            IReadOnlyList<StepState> rows = await QueryAsync("WHERE migration_id = @migration AND step_index = @step", command => Key(command, migrationId, stepIndex), cancellationToken).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }

        /// <summary>Every recorded step, optionally of one migration, ordered by migration id and step index.</summary>
        public Task<IReadOnlyList<StepState>> ListAsync(string? migrationId = null, CancellationToken cancellationToken = default)
        {
            return migrationId is null
                ? QueryAsync(string.Empty, null, cancellationToken)
                : QueryAsync("WHERE migration_id = @migration", command => command.Parameters.AddWithValue("migration", migrationId), cancellationToken);
        }

        private async Task UpdateAsync(string set, string migrationId, int stepIndex, Action<NpgsqlCommand>? parameters, CancellationToken cancellationToken)
        {
            int rows = await ExecuteAsync($"UPDATE {Table} SET {set} WHERE migration_id = @migration AND step_index = @step", command =>
            {
                Key(command, migrationId, stepIndex);
                parameters?.Invoke(command);
            }, cancellationToken).ConfigureAwait(false);
            if (rows == 0)
                throw new InvalidOperationException($"Step {stepIndex} of migration {migrationId} was never started (RecordStartAsync first).");
        }

        private async Task<IReadOnlyList<StepState>> QueryAsync(string where, Action<NpgsqlCommand>? parameters, CancellationToken cancellationToken)
        {
            // error_code and fingerprint are read through to_jsonb: status and plan also read a state table that an
            // older version created without those columns (only apply and rollback add them).
            string sql = $"SELECT migration_id, step_index, step_kind, status, position, attempts, started_at, finished_at, error, to_jsonb(s) ->> 'error_code', to_jsonb(s) ->> 'fingerprint' FROM {Table} AS s {where} ORDER BY migration_id, step_index";
            await using var command = new NpgsqlCommand(sql, _connection);
            parameters?.Invoke(command);
            var rows = new List<StepState>();
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new StepState(
                    reader.GetString(0),
                    reader.GetInt32(1),
                    reader.GetString(2),
                    ParseStatus(reader.GetString(3)),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetInt32(5),
                    reader.GetDateTime(6),
                    reader.IsDBNull(7) ? null : reader.GetDateTime(7),
                    reader.IsDBNull(8) ? null : reader.GetString(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9),
                    reader.IsDBNull(10) ? null : reader.GetString(10)));
            }
            return rows;
        }

        private static StepStatus ParseStatus(string status) => status switch
        {
            "running" => StepStatus.Running,
            "completed" => StepStatus.Completed,
            "failed" => StepStatus.Failed,
            _ => throw new InvalidOperationException($"Unknown step status '{status}' in {Table}."),
        };

        private static void Key(NpgsqlCommand command, string migrationId, int stepIndex)
        {
            command.Parameters.AddWithValue("migration", migrationId);
            command.Parameters.AddWithValue("step", stepIndex);
        }

        private async Task<int> ExecuteAsync(string sql, Action<NpgsqlCommand>? parameters, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null)
        {
            await using var command = new NpgsqlCommand(sql, _connection, transaction);
            parameters?.Invoke(command);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
