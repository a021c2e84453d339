using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace SafeMigrations.Sql.Rules
{
    /// <summary>
    /// SM0006's exemption, fed the statements before a SET NOT NULL in order: whether a validated CHECK proves the
    /// column not null, so PostgreSQL 12+ sets NOT NULL without the scan. A VALIDATE CONSTRAINT on the table proves it
    /// (of a constraint not added in what was fed, or of a CHECK (column IS NOT NULL) added in it), and so does a CHECK
    /// (column IS NOT NULL) added without NOT VALID.
    /// </summary>
    public sealed class NotNullProof
    {
        private readonly string _column;

        // Constraints added earlier, by name: whether each proves the column not null.
        private readonly Dictionary<string, bool> _added = new Dictionary<string, bool>(StringComparer.Ordinal);

        public NotNullProof(string column)
        {
            _column = column;
        }

        /// <summary>An earlier statement proved the column not null.</summary>
        public bool Proven { get; private set; }

        /// <summary>A constraint added by other means (e.g. EF's AddCheckConstraint); <paramref name="check"/> its expression, if a CHECK.</summary>
        public void Added(string name, string? check)
        {
            var proves = check != null && ProvesNotNull(check, _column);
            Proven |= proves;
            _added[name] = proves;
        }

        /// <summary>Feeds one earlier statement; <paramref name="sameTable"/> tells whether it works on the column's table.</summary>
        public void Statement(SqlStatement sql, Func<QualifiedName?, bool> sameTable)
        {
            if (sql.Kind != StatementKind.AlterTable || !sameTable(sql.Table))
            {
                return;
            }

            foreach (var action in sql.Actions)
            {
                if (action.Kind == AlterTableActionKind.AddConstraint)
                {
                    var proves = action.Constraint == ConstraintKind.Check && action.CheckExpression is { } check && ProvesNotNull(check, _column);
                    if (proves && !action.NotValid)
                    {
                        Proven = true;
                    }

                    if (action.Name != null)
                    {
                        _added[action.Name] = proves;
                    }
                }
                else if (action.Kind == AlterTableActionKind.ValidateConstraint
                         && (action.Name is null || !_added.TryGetValue(action.Name, out var proves) || proves))
                {
                    // A constraint added before is trusted to be the NOT NULL check being validated.
                    Proven = true;
                }
            }
        }

        /// <summary>The check expression contains <c>column IS NOT NULL</c> and no OR (quotes, case and spacing ignored).</summary>
        public static bool ProvesNotNull(string check, string column)
        {
            var text = Regex.Replace(check.Replace("\"", string.Empty), @"\s+", " ");
            if (Regex.IsMatch(text, @"\bOR\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
            {
                // a IS NOT NULL OR b does not imply a IS NOT NULL.
                return false;
            }

            var pattern = @"(^|[^\w.])" + Regex.Escape(column) + @"\)?\s*IS NOT NULL";
            return Regex.IsMatch(text, pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }
    }
}
