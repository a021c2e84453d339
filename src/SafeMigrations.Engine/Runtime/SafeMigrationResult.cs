using System;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations
{
    /// <summary>How an in-app run ended (a failure throws <see cref="SafeMigrationsException"/> instead).</summary>
    public enum SafeMigrationOutcome
    {
        /// <summary>Steps ran (or, for plan and status, the answer is in the result).</summary>
        Completed,

        /// <summary>Nothing was left to do for the phase: already done, by this instance earlier or by another one.</summary>
        NothingToDo,

        /// <summary>
        /// Another instance was still applying or rolling back when <see cref="SafeMigrationOptions.AnotherInstanceWait"/>
        /// ran out; nothing ran here. Not an error: that instance finishes the work.
        /// </summary>
        AnotherInstanceRunning,
    }

    /// <summary>A warning or error of the run, with its engine code.</summary>
    public sealed class SafeMigrationFinding
    {
        internal SafeMigrationFinding(string code, LogLevel level, string message)
        {
            Code = code;
            Level = level;
            Message = message;
        }

        /// <summary>The engine code, e.g. <c>SM1006</c> (a step that cannot be made safe) or <c>SM1009</c> (cancelled).</summary>
        public string Code { get; }

        /// <summary><see cref="LogLevel.Warning"/> or <see cref="LogLevel.Error"/>.</summary>
        public LogLevel Level { get; }

        /// <summary>The message, naming the migration and step.</summary>
        public string Message { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Code}: {Message}";
    }

    /// <summary>Where one migration stands (the status command).</summary>
    public enum SafeMigrationState
    {
        /// <summary>Nothing of it ran.</summary>
        Pending,

        /// <summary>Some expand steps ran; a rerun of apply resumes.</summary>
        PartiallyExpanded,

        /// <summary>Expand done, EF history row written; contract steps wait for the contract phase.</summary>
        Expanded,

        /// <summary>Every step ran (or plain EF Core applied it).</summary>
        Applied,
    }

    /// <summary>One migration's state in the database.</summary>
    public sealed class SafeMigrationStatus
    {
        internal SafeMigrationStatus(string migrationId, SafeMigrationState state, int expandDone, int expandSteps, int contractDone, int contractSteps)
        {
            MigrationId = migrationId;
            State = state;
            ExpandStepsDone = expandDone;
            ExpandSteps = expandSteps;
            ContractStepsDone = contractDone;
            ContractSteps = contractSteps;
        }

        /// <summary>The EF migration id.</summary>
        public string MigrationId { get; }

        /// <summary>Where it stands.</summary>
        public SafeMigrationState State { get; }

        /// <summary>Expand steps recorded as done.</summary>
        public int ExpandStepsDone { get; }

        /// <summary>Expand steps in its plan.</summary>
        public int ExpandSteps { get; }

        /// <summary>Contract steps recorded as done.</summary>
        public int ContractStepsDone { get; }

        /// <summary>Contract steps in its plan.</summary>
        public int ContractSteps { get; }

        /// <inheritdoc />
        public override string ToString() => $"{MigrationId}: {State} (expand {ExpandStepsDone}/{ExpandSteps}, contract {ContractStepsDone}/{ContractSteps})";
    }

    /// <summary>What an in-app run did.</summary>
    public sealed class SafeMigrationResult
    {
        internal SafeMigrationResult(string command, string phase)
        {
            Command = command;
            Phase = phase;
        }

        /// <summary><c>plan</c>, <c>apply</c>, <c>status</c> or <c>rollback</c>.</summary>
        public string Command { get; }

        /// <summary>The phase run (<c>Expand</c>, <c>Contract</c>).</summary>
        public string Phase { get; }

        /// <summary>How it ended.</summary>
        public SafeMigrationOutcome Outcome { get; internal set; }

        /// <summary>Migrations whose expand phase this run completed (their EF history rows were written by it).</summary>
        public IReadOnlyList<string> AppliedMigrations { get; internal set; } = Array.Empty<string>();

        /// <summary>Migrations whose contract steps this run completed.</summary>
        public IReadOnlyList<string> ContractedMigrations { get; internal set; } = Array.Empty<string>();

        /// <summary>Migrations this run rolled back (their EF history rows deleted, or, for a partly applied one, its recorded steps undone).</summary>
        public IReadOnlyList<string> RolledBackMigrations { get; internal set; } = Array.Empty<string>();

        /// <summary>Every step the run touched, with its outcome, retries, rows, verification and duration (plan: the planned steps).</summary>
        public IReadOnlyList<StepRecord> Steps { get; internal set; } = Array.Empty<StepRecord>();

        /// <summary>Warnings and errors with their codes, in order.</summary>
        public IReadOnlyList<SafeMigrationFinding> Findings { get; internal set; } = Array.Empty<SafeMigrationFinding>();

        /// <summary>plan: the plan of every migration with steps left in the phase.</summary>
        public IReadOnlyList<MigrationPlan> Plans { get; internal set; } = Array.Empty<MigrationPlan>();

        /// <summary>status: every migration of the context, in order.</summary>
        public IReadOnlyList<SafeMigrationStatus> Statuses { get; internal set; } = Array.Empty<SafeMigrationStatus>();

        /// <summary>The markdown report written, or null.</summary>
        public string? ReportPath { get; internal set; }

        /// <summary>Wall time, waiting for another instance included.</summary>
        public TimeSpan Duration { get; internal set; }
    }
}
