using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>
    /// Properties attached to raw-SQL diagnostics. Every statement of a <c>Sql(...)</c> call is reported at the same
    /// location (the SQL argument), so code fixes read these to know which statement, and which ALTER TABLE action,
    /// a diagnostic is about.
    /// </summary>
    public static class DiagnosticProperties
    {
        /// <summary>Index of the statement in <c>StatementScanner.Scan</c> of the call's SQL text.</summary>
        public const string StatementIndex = "SafeMigrations.StatementIndex";

        /// <summary>Index of the action in <see cref="SqlStatement.Actions"/>, for ALTER TABLE diagnostics.</summary>
        public const string ActionIndex = "SafeMigrations.ActionIndex";

        /// <summary>
        /// Set on a <c>Down</c> diagnostic that is reported only under <c>safe_migrations.analyze_down</c>: the step
        /// restores what the same migration's <c>Up</c> dropped, altered or renamed. Code fixes are not offered for it.
        /// </summary>
        public const string RevertsUp = "SafeMigrations.RevertsUp";

        internal static readonly ImmutableDictionary<string, string?> RevertOfUp =
            ImmutableDictionary<string, string?>.Empty.Add(RevertsUp, "true");

        internal static ImmutableDictionary<string, string?> For(StepStatement statement, AlterTableAction? action)
        {
            var properties = ImmutableDictionary.CreateBuilder<string, string?>();
            properties[StatementIndex] = statement.StatementIndex.ToString(CultureInfo.InvariantCulture);
            if (action != null)
            {
                var actions = statement.Statement.Actions;
                for (var i = 0; i < actions.Count; i++)
                {
                    if (ReferenceEquals(actions[i], action))
                    {
                        properties[ActionIndex] = i.ToString(CultureInfo.InvariantCulture);
                        break;
                    }
                }
            }

            return properties.ToImmutable();
        }

        /// <summary>Reads an index property; -1 when absent.</summary>
        public static int ReadIndex(IReadOnlyDictionary<string, string?> properties, string key) =>
            properties.TryGetValue(key, out var value) && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) ? index : -1;
    }
}
