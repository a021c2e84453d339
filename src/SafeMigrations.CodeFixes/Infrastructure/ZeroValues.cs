using Microsoft.CodeAnalysis;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>
    /// The "zero" value a new required column gets on existing rows, as EF scaffolds it (<c>defaultValue: ""</c>, 0,
    /// false, DateTime's minimum...) or as a SQL constant for raw SQL. A constant default is written to the catalog
    /// only: no table rewrite, and the NOT NULL column is valid at once.
    /// </summary>
    internal static class ZeroValues
    {
        /// <summary>C# code of the CLR type's zero value for <c>defaultValue:</c>, or null when the type has none we know.</summary>
        public static string? CSharp(ITypeSymbol? type, string? storeType)
        {
            if (type is null)
            {
                return null;
            }

            if (type is IArrayTypeSymbol array)
            {
                return "new " + array.ElementType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "[0]";
            }

            switch (type.SpecialType)
            {
                case SpecialType.System_String: return "\"\"";
                case SpecialType.System_Boolean: return "false";
                case SpecialType.System_Int32: return "0";
                case SpecialType.System_Int64: return "0L";
                case SpecialType.System_Int16: return "(short)0";
                case SpecialType.System_Byte: return "(byte)0";
                case SpecialType.System_Decimal: return "0m";
                case SpecialType.System_Double: return "0.0";
                case SpecialType.System_Single: return "0f";
                case SpecialType.System_DateTime:
                    // Npgsql writes DateTime to timestamptz (its default mapping) only with Kind Utc.
                    var kind = storeType != null && ColumnTypes.Normalize(storeType).Contains("without time zone") ? "Unspecified" : "Utc";
                    return "new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind." + kind + ")";
            }

            switch (type.ToDisplayString())
            {
                case "System.Guid": return "new Guid(\"00000000-0000-0000-0000-000000000000\")";
                case "System.DateTimeOffset": return "new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0))";
                case "System.TimeSpan": return "new TimeSpan(0, 0, 0, 0, 0)";
                case "System.DateOnly": return "new DateOnly(1, 1, 1)";
                case "System.TimeOnly": return "new TimeOnly(0, 0, 0)";
                default: return null;
            }
        }

        /// <summary>A SQL constant of the column type's zero value, or null when the type is not one we know.</summary>
        public static string? Sql(string? storeType)
        {
            if (string.IsNullOrWhiteSpace(storeType))
            {
                return null;
            }

            if (storeType!.TrimEnd().EndsWith("]", System.StringComparison.Ordinal))
            {
                return "'{}'";
            }

            var normalized = ColumnTypes.Normalize(storeType);
            var paren = normalized.IndexOf('(');
            var baseType = (paren >= 0 ? normalized.Substring(0, paren) : normalized).Trim();
            switch (baseType)
            {
                case "text":
                case "character varying":
                case "varchar":
                case "character":
                case "char":
                case "bpchar":
                case "citext":
                case "name":
                    return "''";
                case "smallint":
                case "integer":
                case "bigint":
                case "int":
                case "int2":
                case "int4":
                case "int8":
                case "numeric":
                case "decimal":
                case "real":
                case "double precision":
                case "float4":
                case "float8":
                case "money":
                    return "0";
                case "boolean":
                case "bool":
                    return "false";
                case "uuid":
                    return "'00000000-0000-0000-0000-000000000000'";
                case "jsonb":
                case "json":
                    return "'{}'";
                case "bytea":
                    return "'\\x'";
                case "interval":
                    return "'0'";
                case "timestamp with time zone":
                case "timestamptz":
                case "timestamp without time zone":
                case "timestamp":
                    return "now()";
                case "date":
                    return "CURRENT_DATE";
                case "time without time zone":
                case "time":
                    return "'00:00'";
                default:
                    return null;
            }
        }
    }
}
