using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Engine.Gate
{
    /// <summary>
    /// Before a migration's contract steps drop, rename away or swap out a column or table, checks that no running app
    /// version still uses it: statements naming it whose calls grew in <c>pg_stat_statements</c> over the window, and
    /// connected sessions whose application_name names a schema version older than the migration. Refuses with SM1016
    /// naming the evidence; with no evidence at all it passes with an SM1016 warning saying how to enable it.
    /// </summary>
    internal sealed class ContractGate
    {
        private const string InstallStatements = "install pg_stat_statements (shared_preload_libraries = 'pg_stat_statements', then CREATE EXTENSION pg_stat_statements in this database)";
        private const string NameSessions = "give each app instance an Application Name naming its schema version (\"<app> sm=<latest migration id>\", e.g. NpgsqlConnectionStringBuilder.WithSchemaVersion<TContext>(\"<app>\"))";
        private const string Override = "--contract-gate skip (MSBuild SafeMigrationsContractGate=skip, in-app SafeMigrationOptions.SkipContractGate)";

        private readonly ContractGateOptions _options;
        private readonly IEngineLog _log;
        private readonly bool _reuseFirstSample;
        private StatementSample? _firstSample;

        /// <param name="options">Skip and window.</param>
        /// <param name="log">Where the verdict goes.</param>
        /// <param name="reuseFirstSample">
        /// A contract-only run does nothing but contract steps between gates, so one first sample (and one wait) serves
        /// every migration; a run that also expands takes fresh samples, or its own backfills would count as use.
        /// </param>
        public ContractGate(ContractGateOptions options, IEngineLog log, bool reuseFirstSample)
        {
            _options = options;
            _log = log;
            _reuseFirstSample = reuseFirstSample;
        }

        /// <summary>Checks the targets of <paramref name="pendingContract"/> (the contract steps of one migration still to run).</summary>
        /// <exception cref="EngineException">SM1016: an app version still uses a target.</exception>
        public async Task CheckAsync(NpgsqlConnection connection, string migrationId, IReadOnlyList<PlanStep> pendingContract, CancellationToken cancellationToken)
        {
            await CheckTargetsAsync(connection, migrationId, pendingContract, cancellationToken).ConfigureAwait(false);
            // This contract's batches are the engine's own DML on app tables: a later migration's gate samples afresh.
            if (pendingContract.Any(s => s.Transaction == StepTransaction.Batched))
                _firstSample = null;
        }

        private async Task CheckTargetsAsync(NpgsqlConnection connection, string migrationId, IReadOnlyList<PlanStep> pendingContract, CancellationToken cancellationToken)
        {
            IReadOnlyList<ContractTarget> targets = ContractTarget.Find(pendingContract);
            if (targets.Count == 0)
                return;
            string named = string.Join(", ", targets.Select(t => $"{t.Display} ({t.Change})"));
            if (_options.Skip)
            {
                _log.Warn(EngineCodes.ContractGate, $"{migrationId}: CONTRACT GATE SKIPPED by {Override}: nobody checked that no running app version still uses {named}; an instance that does fails from now on");
                return;
            }

            Evidence statements = await CheckStatementsAsync(connection, targets, cancellationToken).ConfigureAwait(false);
            Evidence sessions = await CheckSessionsAsync(connection, migrationId, cancellationToken).ConfigureAwait(false);
            string evidence = $"pg_stat_statements: {statements.Summary}; sessions: {sessions.Summary}";
            if (statements.Refuses || sessions.Refuses)
            {
                throw new EngineException(EngineCodes.ContractGate,
                    $"{migrationId}: contract gate refused: a running app version still uses {named}. {evidence}. Nothing of this migration's contract ran. "
                    + $"Finish the rollout (every instance on a version that includes {migrationId}), let the old version's traffic stop, then rerun the contract; "
                    + $"if the evidence is wrong (e.g. a report that will be fixed), override with {Override}.");
            }
            var blind = new[] { statements, sessions }.Where(e => e.Blind).ToList();
            if (blind.Count > 0 && (statements.Checked || sessions.Checked))
            {
                _log.Warn(EngineCodes.ContractGate,
                    $"{migrationId}: contract gate could check only part of the evidence for {named} ({evidence}); passing on what it could see. "
                    + $"To see the rest: {string.Join("; ", blind.Select(e => e.Remedy))}; see docs/contract-gate.md");
                return;
            }
            if (statements.Checked || sessions.Checked)
            {
                _log.Info($"{migrationId}: contract gate for {named}: {evidence} → pass");
                return;
            }
            _log.Warn(EngineCodes.ContractGate,
                $"{migrationId}: contract gate could not check whether a running app version still uses {named} ({evidence}); passing without evidence. "
                + $"To enable it: {string.Join(", and/or ", new[] { statements.Remedy, sessions.Remedy }.Where(r => r is not null))}; see docs/contract-gate.md");
        }

        private async Task<Evidence> CheckStatementsAsync(NpgsqlConnection connection, IReadOnlyList<ContractTarget> targets, CancellationToken cancellationToken)
        {
            var checkable = targets.Where(t => !t.NameLivesOn).ToList();
            if (checkable.Count == 0)
                return Evidence.NotChecked("not used (the names live on after a swap: only sessions tell the versions apart)", remedy: null);
            (string? view, string? unavailable) = await StatementStatistics.LocateAsync(connection, cancellationToken).ConfigureAwait(false);
            if (view is null)
                return Evidence.NotChecked(unavailable!, InstallStatements);

            StatementSample first = _reuseFirstSample && _firstSample is not null
                ? _firstSample
                : await StatementStatistics.SampleAsync(connection, view, cancellationToken).ConfigureAwait(false);
            if (_reuseFirstSample)
                _firstSample ??= first;
            TimeSpan wait = first.TakenAt + _options.Window - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                _log.Progress($"contract gate: watching pg_stat_statements for statements naming {string.Join(", ", checkable.Select(t => t.Display))} for {Seconds(wait)}");
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
            StatementSample second = await StatementStatistics.SampleAsync(connection, view, cancellationToken).ConfigureAwait(false);

            var used = new List<(long Calls, string Query)>();
            foreach (KeyValuePair<(long, long), StatementCount> entry in second.Statements)
            {
                long calls = CallsBetween(first.Statements.TryGetValue(entry.Key, out StatementCount? earlier) ? earlier.Calls : 0, entry.Value.Calls);
                if (calls > 0 && checkable.Any(t => StatementReferences.References(entry.Value.Query, t)))
                    used.Add((calls, entry.Value.Query));
            }
            // Other roles' statements whose text this role may not read: their calls tell only that the role ran something.
            var hidden = second.Unreadable
                .Select(u => (UserId: u.Key, u.Value.Role, Calls: CallsBetween(first.Unreadable.TryGetValue(u.Key, out UnreadableStatements? earlier) ? earlier.Calls : 0, u.Value.Calls)))
                .Where(u => u.Calls > 0)
                .OrderByDescending(u => u.Calls)
                .ToList();
            // A role with no privilege on a target's table cannot name it in a statement that runs (a monitoring agent, say).
            var tables = checkable.Select(t => SqlIdentifier.Qualify(t.Schema, t.Table)).Distinct().ToList();
            HashSet<long> mayUse = hidden.Count == 0
                ? new HashSet<long>()
                : await StatementStatistics.RolesThatMayUseAsync(connection, hidden.Select(u => u.UserId), tables, cancellationToken).ConfigureAwait(false);
            var unrelated = hidden.Where(u => !mayUse.Contains(u.UserId)).ToList();
            hidden = hidden.Where(u => mayUse.Contains(u.UserId)).ToList();

            string window = $"in the last {Seconds(second.TakenAt - first.TakenAt)} (since {first.TakenAt:HH:mm:ss} UTC, 2 samples)";
            string names = string.Join(", ", checkable.Select(t => t.Display));
            string? grant = second.Unreadable.Count > 0
                ? $"GRANT pg_read_all_stats TO {await StatementStatistics.CurrentRoleAsync(connection, cancellationToken).ConfigureAwait(false)}"
                : null;
            string unseen = hidden.Count == 0
                ? string.Empty
                : $"{CallsText(hidden)} {window} by other roles whose statement text this role may not read ({RolesText(hidden)})";
            string ignored = unrelated.Count == 0
                ? string.Empty
                : $"; {CallsText(unrelated)} by roles with no privilege on {string.Join(", ", tables)} ({RolesText(unrelated)}) cannot name it";
            if (used.Count > 0)
            {
                string listed = string.Join("; ", used.OrderByDescending(u => u.Calls).Take(5).Select(u => $"[{u.Calls.ToString(CultureInfo.InvariantCulture)} calls] {Shorten(u.Query)}"));
                return Evidence.Refuse($"{used.Sum(u => u.Calls).ToString(CultureInfo.InvariantCulture)} calls naming {names} {window} by {used.Count} statement(s): {listed}{(used.Count > 5 ? " ..." : string.Empty)}"
                    + (unseen.Length > 0 ? $"; and {unseen}: {grant} to read them" : string.Empty));
            }
            if (hidden.Count > 0)
                return Evidence.CannotSee($"cannot tell: {unseen}{ignored}", $"{grant} (it reads only its own statements' text)");
            string quiet = second.Unreadable.Count > 0
                ? $"; other roles' statements are not readable by this role ({grant} to read them), and no role that may use {string.Join(", ", tables)} ran one in the window{ignored}"
                : string.Empty;
            return Evidence.Pass($"0 calls naming {names} {window}{quiet}");
        }

        private static string CallsText(IEnumerable<(long UserId, string Role, long Calls)> roles)
            => roles.Sum(u => u.Calls).ToString(CultureInfo.InvariantCulture) + " calls";

        private static string RolesText(IEnumerable<(long UserId, string Role, long Calls)> roles)
            => string.Join(", ", roles.Select(u => $"{u.Role}: {u.Calls.ToString(CultureInfo.InvariantCulture)} calls"));

        /// <summary>Calls between two samples; fewer than before means a reset (or an evicted and re-created entry): count them all.</summary>
        private static long CallsBetween(long before, long after) => after >= before ? after - before : after;

        private static async Task<Evidence> CheckSessionsAsync(NpgsqlConnection connection, string migrationId, CancellationToken cancellationToken)
        {
            IReadOnlyList<AppSession> sessions = await AppSessions.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
            if (sessions.Count == 0)
                return Evidence.NotChecked("no connected session names its schema version (application_name \"<app> sm=<migration id>\")", NameSessions);
            var old = sessions.Where(s => SchemaVersionApplicationName.IsOlder(s.MigrationId, migrationId, s.Truncated)).ToList();
            if (old.Count == 0)
                return Evidence.Pass($"{sessions.Count} app session(s), all at {migrationId} or newer");
            return Evidence.Refuse($"{old.Count} of {sessions.Count} app session(s) at a version older than {migrationId}: "
                + string.Join("; ", old.Take(10).Select(s => s.Describe())) + (old.Count > 10 ? " ..." : string.Empty));
        }

        private static string Seconds(TimeSpan span) => Math.Max(0, Math.Round(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + " s";

        private static string Shorten(string query)
        {
            string oneLine = Regex.Replace(query.Trim(), @"\s+", " ");
            return oneLine.Length <= 160 ? oneLine : oneLine.Substring(0, 157) + "...";
        }

        private sealed class Evidence
        {
            private Evidence(bool isChecked, bool refuses, bool blind, string summary, string? remedy)
            {
                Checked = isChecked;
                Refuses = refuses;
                Blind = blind;
                Summary = summary;
                Remedy = remedy;
            }

            public bool Checked { get; }
            public bool Refuses { get; }

            /// <summary>The source is there but hides what may be use (other roles' statements): no evidence, and a warning.</summary>
            public bool Blind { get; }

            public string Summary { get; }

            /// <summary>How to make this source usable, when it was not.</summary>
            public string? Remedy { get; }

            public static Evidence NotChecked(string why, string? remedy) => new Evidence(false, false, false, why, remedy);
            public static Evidence CannotSee(string why, string remedy) => new Evidence(false, false, true, why, remedy);
            public static Evidence Pass(string summary) => new Evidence(true, false, false, summary, null);
            public static Evidence Refuse(string summary) => new Evidence(true, true, false, summary, null);
        }
    }
}
