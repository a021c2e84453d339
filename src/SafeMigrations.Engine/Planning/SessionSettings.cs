using System;
using System.Collections.Generic;
using System.Linq;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Planning
{
    /// <summary>A parameter a migration set in an earlier step, re-applied on the session of a later step.</summary>
    public sealed class CarriedSetting
    {
        internal CarriedSetting(string parameter, string statement, int fromStep)
        {
            Parameter = parameter;
            Statement = statement;
            FromStep = fromStep;
        }

        /// <summary>The parameter, lower case (e.g. <c>timezone</c>).</summary>
        public string Parameter { get; }

        /// <summary>The session-level statement that applies it, e.g. <c>SET TIME ZONE 'UTC'</c>.</summary>
        public string Statement { get; }

        /// <summary>Index of the step whose SQL set it.</summary>
        public int FromStep { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Statement} (from step {FromStep})";
    }

    /// <summary>
    /// Plain EF runs a migration's commands on one connection, so a <c>SET</c> in one of them holds for the commands
    /// after it, and a <c>SET LOCAL</c> (e.g. <c>SET LOCAL TimeZone = 'UTC'</c> before a timestamp → timestamptz change)
    /// until its transaction ends, which a <c>suppressTransaction</c> command or a <c>COMMIT</c> does. The engine runs
    /// steps in separate transactions, so each step carries the settings of the steps before it in the plan and the
    /// executor re-applies them. It carries a <c>SET LOCAL</c> past a suppressed command too, on purpose: the author
    /// wrote it for the steps after it, and plain EF dropping it there is what SM0007 warns about (plan and the
    /// analyzers still judge the plain-EF behaviour). Derived from the plan alone, so a resumed run (the SET step
    /// already done) applies them the same way.
    /// </summary>
    internal static class SessionSettings
    {
        // The engine governs these per step (lock_timeout with retries; statement_timeout by policy): a migration's value is not carried.
        private static readonly HashSet<string> EngineOwned = new HashSet<string>(StringComparer.Ordinal) { "lock_timeout", "statement_timeout" };

        /// <summary>Sets <see cref="PlanStep.SessionSettings"/> of every step, in plan (execution) order.</summary>
        public static void Carry(IReadOnlyList<PlanStep> ordered)
        {
            var current = new List<CarriedSetting>();
            foreach (PlanStep step in ordered)
            {
                step.SessionSettings = current.ToArray();
                // A batched step's SQL is a description of one batch, never a SET.
                if (step.Transaction == StepTransaction.Batched)
                    continue;
                foreach (SqlStatement statement in StatementScanner.Scan(step.Sql))
                {
                    if (!(SessionSetting.Parse(statement) is { } setting) || EngineOwned.Contains(setting.Parameter))
                        continue;
                    if (setting.Parameter == SessionSetting.All)
                    {
                        current.Clear();
                        continue;
                    }
                    current.RemoveAll(c => c.Parameter == setting.Parameter);
                    if (!setting.IsReset)
                        current.Add(new CarriedSetting(setting.Parameter, setting.SessionStatement, step.Index));
                }
            }
        }

        /// <summary>For the plan output: what a step runs with, or null when nothing is carried.</summary>
        public static string? Describe(PlanStep step)
            => step.SessionSettings.Count == 0 ? null : string.Join("; ", step.SessionSettings.Select(s => s.ToString()));
    }
}
