using System;
using System.Collections.Generic;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Model
{
    /// <summary>
    /// Identity of a database object a step creates or removes, used to recognise a <c>Down</c> step that undoes
    /// what the same migration's <c>Up</c> created (DropIndex of Up's CreateIndex, the reverse of Up's rename, ...).
    /// </summary>
    internal readonly struct ObjectKey : IEquatable<ObjectKey>
    {
        private ObjectKey(string kind, TableName scope, string name)
        {
            Kind = kind;
            Scope = scope;
            Name = name;
        }

        public string Kind { get; }

        /// <summary>The table (for columns, constraints, renames) or the schema with an empty name (for indexes).</summary>
        public TableName Scope { get; }

        public string Name { get; }

        public bool Equals(ObjectKey other) =>
            string.Equals(Kind, other.Kind, StringComparison.Ordinal) && Scope == other.Scope && string.Equals(Name, other.Name, StringComparison.Ordinal);

        public override bool Equals(object? obj) => obj is ObjectKey other && Equals(other);

        public override int GetHashCode() => (StringComparer.Ordinal.GetHashCode(Kind) * 31) ^ StringComparer.Ordinal.GetHashCode(Name);

        public override string ToString() => Kind + " " + Scope + " " + Name;

        private static ObjectKey Table(TableName table) => new ObjectKey("table", table, string.Empty);

        private static ObjectKey Index(string? schema, string name) => new ObjectKey("index", new TableName(schema, string.Empty), name);

        private static ObjectKey Column(TableName table, string column) => new ObjectKey("column", table, column);

        private static ObjectKey Constraint(TableName table, string name) => new ObjectKey("constraint", table, name);

        /// <summary>A rename from <paramref name="from"/> to <paramref name="to"/>.</summary>
        private static ObjectKey Rename(string kind, TableName scope, string from, string to) => new ObjectKey("rename-" + kind, scope, from + "\u0000" + to);

        /// <summary>What an Up step creates, keyed the way the Down step that undoes it is keyed.</summary>
        public static ObjectKey? CreatedBy(MigrationStep step)
        {
            var name = step.Name;
            var table = step.Table;
            switch (step.MethodName)
            {
                case "CreateTable":
                    return table is { } t ? Table(t) : (ObjectKey?)null;
                case "CreateIndex":
                    return name is null ? (ObjectKey?)null : Index(step.Schema, name);
                case "AddColumn":
                    return name is null || table is null ? (ObjectKey?)null : Column(table.Value, name);
                case "AddForeignKey":
                case "AddPrimaryKey":
                case "AddUniqueConstraint":
                case "AddCheckConstraint":
                    return name is null || table is null ? (ObjectKey?)null : Constraint(table.Value, name);
                case "RenameColumn":
                case "RenameIndex":
                {
                    // Up renames name -> newName; Down undoes it by renaming newName -> name.
                    var newName = step.GetString("newName");
                    var scope = step.MethodName == "RenameColumn" ? table : new TableName(step.Schema, string.Empty);
                    return name is null || newName is null || scope is null ? (ObjectKey?)null : Rename(step.MethodName, scope.Value, newName, name);
                }

                case "RenameTable":
                {
                    var newName = step.GetString("newName") ?? name;
                    var newSchema = step.HasArgument("newSchema") ? step.GetString("newSchema") : step.Schema;
                    return name is null || newName is null ? (ObjectKey?)null : Rename("table", new TableName(null, string.Empty), new TableName(newSchema, newName).ToString(), new TableName(step.Schema, name).ToString());
                }

                default:
                    return null;
            }
        }

        /// <summary>What a Down step removes or reverts; null when it removes nothing we can name.</summary>
        public static ObjectKey? UndoneBy(MigrationStep step)
        {
            var name = step.Name;
            var table = step.Table;
            switch (step.MethodName)
            {
                case "DropTable":
                    return table is { } t ? Table(t) : (ObjectKey?)null;
                case "DropIndex":
                    return name is null ? (ObjectKey?)null : Index(step.Schema, name);
                case "DropColumn":
                    return name is null || table is null ? (ObjectKey?)null : Column(table.Value, name);
                case "DropForeignKey":
                case "DropPrimaryKey":
                case "DropUniqueConstraint":
                case "DropCheckConstraint":
                    return name is null || table is null ? (ObjectKey?)null : Constraint(table.Value, name);
                case "RenameColumn":
                case "RenameIndex":
                {
                    var newName = step.GetString("newName");
                    var scope = step.MethodName == "RenameColumn" ? table : new TableName(step.Schema, string.Empty);
                    return name is null || newName is null || scope is null ? (ObjectKey?)null : Rename(step.MethodName, scope.Value, name, newName);
                }

                case "RenameTable":
                {
                    var newName = step.GetString("newName") ?? name;
                    var newSchema = step.HasArgument("newSchema") ? step.GetString("newSchema") : step.Schema;
                    return name is null || newName is null ? (ObjectKey?)null : Rename("table", new TableName(null, string.Empty), new TableName(step.Schema, name).ToString(), new TableName(newSchema, newName).ToString());
                }

                default:
                    return null;
            }
        }

        /// <summary>What a raw statement creates.</summary>
        public static IEnumerable<ObjectKey> CreatedBy(SqlStatement statement)
        {
            var table = TableName.From(statement.Table);
            switch (statement.Kind)
            {
                case StatementKind.CreateTable when table is { } t:
                    yield return Table(t);
                    break;
                case StatementKind.CreateIndex when statement.Index is { } index:
                    yield return Index(index.Schema ?? table?.Schema, index.Name);
                    break;
                case StatementKind.AlterTable when table is { } t:
                    foreach (var action in statement.Actions)
                    {
                        if (action.Kind == AlterTableActionKind.AddColumn && action.Column != null)
                        {
                            yield return Column(t, action.Column);
                        }
                        else if (action.Kind == AlterTableActionKind.AddConstraint && action.Name != null)
                        {
                            yield return Constraint(t, action.Name);
                        }
                        else if (action.Kind == AlterTableActionKind.RenameColumn && action.Column != null && action.Name != null)
                        {
                            yield return Rename("RenameColumn", t, action.Name, action.Column);
                        }
                    }

                    break;
            }
        }

        /// <summary>What a raw statement removes or reverts (several for DROP TABLE a, b).</summary>
        public static List<ObjectKey> UndoneBy(SqlStatement statement)
        {
            var keys = new List<ObjectKey>();
            var table = TableName.From(statement.Table);
            switch (statement.Kind)
            {
                case StatementKind.DropTable:
                    if (table is { } dropped)
                    {
                        keys.Add(Table(dropped));
                    }

                    foreach (var other in statement.Tables)
                    {
                        var key = Table(new TableName(other.Schema, other.Name));
                        if (!keys.Contains(key))
                        {
                            keys.Add(key);
                        }
                    }

                    break;
                case StatementKind.DropIndex:
                    if (statement.Index is { } index)
                    {
                        keys.Add(Index(index.Schema, index.Name));
                    }

                    break;
                case StatementKind.AlterTable when table is { } t:
                    foreach (var action in statement.Actions)
                    {
                        if (!(UndoneBy(t, action) is { } key))
                        {
                            // An ALTER TABLE that also does something else is not a plain undo.
                            keys.Clear();
                            break;
                        }

                        keys.Add(key);
                    }

                    break;
            }

            return keys;
        }

        /// <summary>What one ALTER TABLE action removes or reverts; null when it is not a removal.</summary>
        public static ObjectKey? UndoneBy(TableName table, AlterTableAction action)
        {
            switch (action.Kind)
            {
                case AlterTableActionKind.DropColumn when action.Column != null:
                    return Column(table, action.Column);
                case AlterTableActionKind.DropConstraint when action.Name != null:
                    return Constraint(table, action.Name);
                case AlterTableActionKind.RenameColumn when action.Column != null && action.Name != null:
                    return Rename("RenameColumn", table, action.Column, action.Name);
                default:
                    return null;
            }
        }
    }
}
