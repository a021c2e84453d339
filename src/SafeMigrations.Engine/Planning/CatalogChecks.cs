namespace SafeMigrations.Engine.Planning
{
    /// <summary>Verification queries over the catalog; each returns one boolean, true when the state holds.</summary>
    internal static class CatalogChecks
    {
        public static string Literal(string text) => "'" + text.Replace("'", "''") + "'";

        public static string Relation(string? schema, string name) => "to_regclass(" + Literal(SqlIdentifier.Qualify(schema, name)) + ")";

        public static string IndexValid(string? schema, string index)
            => $"SELECT EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = {Relation(schema, index)} AND indisvalid AND indisready)";

        public static string RelationGone(string? schema, string name) => $"SELECT {Relation(schema, name)} IS NULL";

        public static string RelationExists(string? schema, string name) => $"SELECT {Relation(schema, name)} IS NOT NULL";

        public static string ConstraintExists(string? schema, string table, string constraint, bool validated)
            => $"SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {Relation(schema, table)} AND conname = {Literal(constraint)}{(validated ? " AND convalidated" : string.Empty)})";

        public static string ConstraintGone(string? schema, string table, string constraint)
            => $"SELECT NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {Relation(schema, table)} AND conname = {Literal(constraint)})";

        public static string ColumnExists(string? schema, string table, string column, bool notNull = false)
            => $"SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = {Relation(schema, table)} AND attname = {Literal(column)} AND NOT attisdropped{(notNull ? " AND attnotnull" : string.Empty)})";

        public static string ColumnGone(string? schema, string table, string column)
            => $"SELECT NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = {Relation(schema, table)} AND attname = {Literal(column)} AND NOT attisdropped)";

        public static string TriggerExists(string? schema, string table, string trigger)
            => $"SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = {Relation(schema, table)} AND tgname = {Literal(trigger)})";

        public static string NoRowMatches(string? schema, string table, string where)
            => $"SELECT NOT EXISTS (SELECT 1 FROM {SqlIdentifier.Qualify(schema, table)} WHERE {where})";
    }
}
