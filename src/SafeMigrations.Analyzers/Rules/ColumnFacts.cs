using System;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>What an added or altered column does to existing rows; shared by SM0004-SM0007.</summary>
    internal static class ColumnFacts
    {
        /// <summary>PostgreSQL 11 introduced the fast default: before it, any ADD COLUMN ... DEFAULT rewrites the table.</summary>
        public const int FastDefaultVersion = StatementRules.FastDefaultVersion;

        /// <summary>
        /// Why an AddColumn step fills every existing row (a table rewrite), or null. Identity and serial columns, stored
        /// generated columns, volatile defaults; before PostgreSQL 11 any default. HiLo is client-side: no rewrite.
        /// </summary>
        public static string? RewriteReason(MigrationStep step, int postgresVersion)
        {
            var generation = GenerationOf(step);
            if (generation != null)
            {
                return generation;
            }

            var defaultValueSql = step["defaultValueSql"];
            if (defaultValueSql.AsString() is { } sql && DefaultExpressions.IsVolatile(sql))
            {
                return StatementRules.VolatileDefaultRewrites(sql);
            }

            if (postgresVersion < FastDefaultVersion && (HasValue(step["defaultValue"]) || HasSqlValue(defaultValueSql)))
            {
                return StatementRules.AnyDefaultRewrites;
            }

            return null;
        }

        /// <summary>Identity, serial or stored generated: the column fills existing rows itself (null when it does not).</summary>
        public static string? GenerationOf(MigrationStep step)
        {
            var strategy = step.FindAnnotation(NpgsqlAnnotations.ValueGenerationStrategy)?.Value;
            if (strategy != null)
            {
                // The enum member, or its value when written as a number: SerialColumn = 2, IdentityAlwaysColumn = 3, IdentityByDefaultColumn = 4.
                var member = strategy.EnumMember;
                var number = member is null ? strategy.AsInt() : null;
                if (member == NpgsqlAnnotations.IdentityByDefaultColumn || member == NpgsqlAnnotations.IdentityAlwaysColumn || number == 3 || number == 4)
                {
                    return StatementRules.IdentityRewrites;
                }

                if (member == NpgsqlAnnotations.SerialColumn || number == 2)
                {
                    return StatementRules.SerialRewrites;
                }
            }

            if (step.GetString("type") is { } type && IsSerialType(type))
            {
                return StatementRules.SerialRewrites;
            }

            if (HasSqlValue(step["computedColumnSql"]) && step.GetBool("stored") == true)
            {
                return StatementRules.StoredGeneratedRewrites;
            }

            return null;
        }

        /// <summary>serial, bigserial, smallserial and their serial2/4/8 spellings.</summary>
        public static bool IsSerialType(string type)
        {
            var normalized = ColumnTypes.Normalize(type);
            return normalized == "serial" || normalized == "bigserial" || normalized == "smallserial";
        }

        /// <summary>The argument was written with a value that is not the constant null (an unreadable value counts as a value).</summary>
        public static bool HasValue(StepValue value) => !value.IsOmitted && !value.IsNull;

        /// <summary>Like <see cref="HasValue"/> for SQL text arguments, where the text <c>NULL</c> is no value either.</summary>
        public static bool HasSqlValue(StepValue value) => HasValue(value) && !(value.AsString() is { } text && IsNullLiteral(text));

        public static bool IsNullLiteral(string expression) => StatementRules.IsNullLiteral(expression);
    }
}
