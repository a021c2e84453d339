using System.Collections.Generic;

namespace SafeMigrations.Sql
{
    /// <summary>Splits PostgreSQL text into statements and classifies each one.</summary>
    public static class StatementScanner
    {
        /// <summary>Scans every top-level statement in <paramref name="sql"/>. Never throws on malformed input.</summary>
        public static IReadOnlyList<SqlStatement> Scan(string sql) => throw new System.NotImplementedException();
    }

    /// <summary>Knowledge of PostgreSQL expressions that decides whether a column default forces a table rewrite.</summary>
    public static class DefaultExpressions
    {
        /// <summary>
        /// True when adding a column with this DEFAULT rewrites the table: a volatile function (gen_random_uuid(),
        /// random(), clock_timestamp(), nextval(...), timeofday()...) or a function we do not know (PostgreSQL's default
        /// volatility is VOLATILE). Constants, casts of constants, and stable functions (now(), CURRENT_TIMESTAMP,
        /// statement_timestamp()...) are safe.
        /// </summary>
        public static bool IsVolatile(string expression) => throw new System.NotImplementedException();
    }

    public enum TypeChangeSafety
    {
        /// <summary>No rewrite and no scan (same type, varchar widening, varchar to text, numeric precision increase...).</summary>
        Safe,
        /// <summary>Rewrites the table and its indexes under ACCESS EXCLUSIVE.</summary>
        Rewrite,
    }

    /// <summary>Decides whether ALTER COLUMN TYPE from one type to another rewrites the table.</summary>
    public static class ColumnTypes
    {
        /// <summary>
        /// Classifies a type change. Type names are as EF/Npgsql write them or as written in SQL ("integer", "int4",
        /// "character varying(100)", "varchar(100)", "numeric(10,2)", "timestamp with time zone", "text[]", ...).
        /// A null or empty <paramref name="oldType"/> means "unknown": the result is Rewrite unless both are known
        /// equal (callers decide how to treat unknown old types).
        /// <paramref name="postgresMajorVersion"/> enables version-dependent knowledge.
        /// </summary>
        public static TypeChangeSafety Classify(string? oldType, string newType, int postgresMajorVersion = 12) => throw new System.NotImplementedException();

        /// <summary>Normalizes a type name to PostgreSQL's canonical spelling, e.g. "int4" to "integer", "varchar(10)" to "character varying(10)".</summary>
        public static string Normalize(string type) => throw new System.NotImplementedException();
    }
}
