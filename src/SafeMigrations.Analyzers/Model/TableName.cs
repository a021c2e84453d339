using System;

namespace SafeMigrations.Analyzers.Model
{
    /// <summary>
    /// A table as a migration names it: case-sensitive (EF quotes every identifier; raw SQL names arrive case-folded
    /// by the scanner), schema-aware, where no schema and <c>public</c> are the same schema.
    /// </summary>
    public readonly struct TableName : IEquatable<TableName>
    {
        public TableName(string? schema, string name)
        {
            Schema = string.IsNullOrEmpty(schema) ? null : schema;
            Name = name ?? string.Empty;
        }

        /// <summary>Schema, or null for the default schema.</summary>
        public string? Schema { get; }

        public string Name { get; }

        private string EffectiveSchema => Schema ?? "public";

        public bool Equals(TableName other) =>
            string.Equals(Name, other.Name, StringComparison.Ordinal)
            && string.Equals(EffectiveSchema, other.EffectiveSchema, StringComparison.Ordinal);

        public override bool Equals(object? obj) => obj is TableName other && Equals(other);

        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

        public static bool operator ==(TableName left, TableName right) => left.Equals(right);

        public static bool operator !=(TableName left, TableName right) => !left.Equals(right);

        /// <summary><c>schema.name</c>, or <c>name</c> for the default schema.</summary>
        public override string ToString() => Schema is null ? Name : Schema + "." + Name;

        internal static TableName? From(Sql.QualifiedName? name) =>
            name is null ? (TableName?)null : new TableName(name.Schema, name.Name);
    }
}
