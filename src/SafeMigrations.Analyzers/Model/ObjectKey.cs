using System;
using System.Collections.Generic;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Model
{
    /// <summary>
    /// Identity of a change a step makes, used to recognise a <c>Down</c> step that reverts what the same migration's
    /// <c>Up</c> did: a drop of what Up created, the reverse of Up's rename, an alter of a column Up altered, a
    /// re-create of what Up dropped. An Up step and the Down step that reverts it map to equal keys.
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

        /// <summary>An object that was created (table, index, column, constraint): a Down step with this key removes what Up created.</summary>
        public bool IsCreation => Kind == "table" || Kind == "index" || Kind == "column" || Kind == "constraint";

        private static ObjectKey Table(TableName table) => new ObjectKey("table", table, string.Empty);

        private static ObjectKey Index(string? schema, string name) => new ObjectKey("index", new TableName(schema, string.Empty), name);

        private static ObjectKey Column(TableName table, string column) => new ObjectKey("column", table, column);

        private static ObjectKey Constraint(TableName table, string name) => new ObjectKey("constraint", table, name);

        /// <summary>A column whose definition (type, nullability, default) was altered: reverted by another alter of it.</summary>
        private static ObjectKey Altered(TableName table, string column) => new ObjectKey("altered-column", table, column);

        /// <summary>An object that was dropped: reverted by creating it again (same kind and name).</summary>
        private static ObjectKey Dropped(ObjectKey key) => new ObjectKey("dropped-" + key.Kind, key.Scope, key.Name);

        /// <summary>A rename from <paramref name="from"/> to <paramref name="to"/>.</summary>
        private static ObjectKey Rename(string kind, TableName scope, string from, string to) => new ObjectKey("rename-" + kind, scope, from + "\u0000" + to);

        /// <summary>Everything an Up step did that a Down step may revert, keyed the way that Down step is keyed.</summary>
        public static IEnumerable<ObjectKey> ChangedBy(MigrationStep step)
        {
            if (CreatedBy(step) is { } created)
            {
                yield return created;
            }

            if (step.MethodName == "AlterColumn" && ColumnKey(step) is { } column)
            {
                yield return Altered(column.Scope, column.Name);
            }

            if (RemovedBy(step) is { } removed)
            {
                yield return Dropped(removed);
            }
        }

        /// <summary>What a Down step reverts; null when it reverts nothing we can name.</summary>
        public static ObjectKey? RevertedBy(MigrationStep step)
        {
            if (RemovedBy(step) is { } removed)
            {
                return removed;
            }

            if (RenamedBy(step, reverse: false) is { } renamed)
            {
                return renamed;
            }

            if (step.MethodName == "AlterColumn" && ColumnKey(step) is { } column)
            {
                return Altered(column.Scope, column.Name);
            }

            // Re-creating what Up dropped (EF's Down re-adds a dropped index, key, constraint, column or table).
            return CreatedBy(step) is { } created && !created.Kind.StartsWith("rename-", StringComparison.Ordinal)
                ? Dropped(created)
                : (ObjectKey?)null;
        }

        /// <summary>Everything a raw Up statement did that a Down statement may revert.</summary>
        public static IEnumerable<ObjectKey> ChangedBy(SqlStatement statement)
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
                case StatementKind.DropTable:
                case StatementKind.DropIndex:
                    foreach (var removed in RemovedBy(statement))
                    {
                        yield return Dropped(removed);
                    }

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
                        else if (RawTableRename(t, action) is { } renamed)
                        {
                            // Keyed like the rename that undoes it, as for RenameTable steps.
                            yield return Rename("table", new TableName(null, string.Empty), renamed.To.ToString(), renamed.From.ToString());
                        }
                        else if (IsColumnAlteration(action) && action.Column != null)
                        {
                            yield return Altered(t, action.Column);
                        }
                        else if (RemovedBy(t, action) is { } removed)
                        {
                            yield return Dropped(removed);
                        }
                    }

                    break;
            }
        }

        /// <summary>What a raw Down statement reverts (several for DROP TABLE a, b); empty when it does anything else too.</summary>
        public static List<ObjectKey> RevertedBy(SqlStatement statement)
        {
            var keys = new List<ObjectKey>();
            var table = TableName.From(statement.Table);
            switch (statement.Kind)
            {
                case StatementKind.DropTable:
                case StatementKind.DropIndex:
                    keys.AddRange(RemovedBy(statement));
                    break;
                case StatementKind.CreateTable when table is { } t:
                    keys.Add(Dropped(Table(t)));
                    break;
                case StatementKind.CreateIndex when statement.Index is { } index:
                    keys.Add(Dropped(Index(index.Schema ?? table?.Schema, index.Name)));
                    break;
                case StatementKind.AlterTable when table is { } t:
                    foreach (var action in statement.Actions)
                    {
                        if (!(RevertedBy(t, action) is { } key))
                        {
                            // An ALTER TABLE that also does something else is not a plain revert.
                            keys.Clear();
                            break;
                        }

                        keys.Add(key);
                    }

                    break;
            }

            return keys;
        }

        /// <summary>What one ALTER TABLE action of a Down statement reverts; null when it is not a revert.</summary>
        public static ObjectKey? RevertedBy(TableName table, AlterTableAction action)
        {
            if (RemovedBy(table, action) is { } removed)
            {
                return removed;
            }

            switch (action.Kind)
            {
                case AlterTableActionKind.RenameColumn when action.Column != null && action.Name != null:
                    return Rename("RenameColumn", table, action.Column, action.Name);
                case AlterTableActionKind.RenameTable:
                case AlterTableActionKind.SetSchema:
                    return RawTableRename(table, action) is { } renamed
                        ? Rename("table", new TableName(null, string.Empty), renamed.From.ToString(), renamed.To.ToString())
                        : (ObjectKey?)null;
                case AlterTableActionKind.AddColumn when action.Column != null:
                    return Dropped(Column(table, action.Column));
                case AlterTableActionKind.AddConstraint when action.Name != null:
                    return Dropped(Constraint(table, action.Name));
                default:
                    return IsColumnAlteration(action) && action.Column != null ? Altered(table, action.Column) : (ObjectKey?)null;
            }
        }

        /// <summary>What a builder step creates (or, for renames, the reverse rename that undoes it).</summary>
        private static ObjectKey? CreatedBy(MigrationStep step)
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
                default:
                    // Up renames name -> newName; Down undoes it by renaming newName -> name.
                    return RenamedBy(step, reverse: true);
            }
        }

        /// <summary>What a builder step drops; null for anything else.</summary>
        private static ObjectKey? RemovedBy(MigrationStep step)
        {
            var name = step.Name;
            var table = step.Table;
            switch (step.MethodName)
            {
                case "DropTable":
                    return table is { } t ? Table(t) : (ObjectKey?)null;
                case "DropIndex":
                    return name is null ? (ObjectKey?)null : Index(step.Schema, name);
                case "DropIndexConcurrently" when step.IsSafeStep("DropIndexConcurrently"):
                    // The safe form of DropIndex (SM0002 fix): Down re-creating the index still reverts Up.
                    return name is null ? (ObjectKey?)null : Index(step.Schema, name);
                case "DropColumn":
                    return name is null || table is null ? (ObjectKey?)null : Column(table.Value, name);
                case "DropForeignKey":
                case "DropPrimaryKey":
                case "DropUniqueConstraint":
                case "DropCheckConstraint":
                    return name is null || table is null ? (ObjectKey?)null : Constraint(table.Value, name);
                default:
                    return null;
            }
        }

        /// <summary>A RenameColumn/RenameIndex/RenameTable step as a rename key; <paramref name="reverse"/> gives the rename that undoes it.</summary>
        private static ObjectKey? RenamedBy(MigrationStep step, bool reverse)
        {
            var name = step.Name;
            switch (step.MethodName)
            {
                case "RenameColumn":
                case "RenameIndex":
                {
                    var newName = step.GetString("newName");
                    var scope = step.MethodName == "RenameColumn" ? step.Table : new TableName(step.Schema, string.Empty);
                    if (name is null || newName is null || scope is null)
                    {
                        return null;
                    }

                    return reverse ? Rename(step.MethodName, scope.Value, newName, name) : Rename(step.MethodName, scope.Value, name, newName);
                }

                case "RenameTable":
                {
                    var newName = step.GetString("newName") ?? name;
                    var newSchema = step.HasArgument("newSchema") ? step.GetString("newSchema") : step.Schema;
                    if (name is null || newName is null)
                    {
                        return null;
                    }

                    var from = new TableName(step.Schema, name).ToString();
                    var to = new TableName(newSchema, newName).ToString();
                    var anyTable = new TableName(null, string.Empty);
                    return reverse ? Rename("table", anyTable, to, from) : Rename("table", anyTable, from, to);
                }

                default:
                    return null;
            }
        }

        /// <summary>The column an AlterColumn step alters.</summary>
        private static ObjectKey? ColumnKey(MigrationStep step) =>
            step.Name is { } name && step.Table is { } table ? Column(table, name) : (ObjectKey?)null;

        /// <summary>What a raw DROP TABLE / DROP INDEX statement removes.</summary>
        private static List<ObjectKey> RemovedBy(SqlStatement statement)
        {
            var keys = new List<ObjectKey>();
            if (statement.Kind == StatementKind.DropTable)
            {
                if (TableName.From(statement.Table) is { } dropped)
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
            }
            else if (statement.Kind == StatementKind.DropIndex)
            {
                foreach (var index in statement.Indexes.Count > 0 ? statement.Indexes : statement.Index is { } single ? new[] { single } : Array.Empty<QualifiedName>())
                {
                    var key = Index(index.Schema, index.Name);
                    if (!keys.Contains(key))
                    {
                        keys.Add(key);
                    }
                }
            }

            return keys;
        }

        /// <summary>What one ALTER TABLE action drops; null when it is not a drop.</summary>
        private static ObjectKey? RemovedBy(TableName table, AlterTableAction action)
        {
            switch (action.Kind)
            {
                case AlterTableActionKind.DropColumn when action.Column != null:
                    return Column(table, action.Column);
                case AlterTableActionKind.DropConstraint when action.Name != null:
                    return Constraint(table, action.Name);
                default:
                    return null;
            }
        }

        /// <summary>ALTER TABLE ... RENAME TO / SET SCHEMA as a move from one table name to another.</summary>
        private static (TableName From, TableName To)? RawTableRename(TableName table, AlterTableAction action)
        {
            if (action.Name is null)
            {
                return null;
            }

            switch (action.Kind)
            {
                case AlterTableActionKind.RenameTable:
                    return (table, new TableName(table.Schema, action.Name));
                case AlterTableActionKind.SetSchema:
                    return (table, new TableName(action.Name, table.Name));
                default:
                    return null;
            }
        }

        /// <summary>ALTER COLUMN ... TYPE / SET|DROP NOT NULL / SET|DROP DEFAULT.</summary>
        private static bool IsColumnAlteration(AlterTableAction action)
        {
            switch (action.Kind)
            {
                case AlterTableActionKind.AlterColumnType:
                case AlterTableActionKind.SetNotNull:
                case AlterTableActionKind.DropNotNull:
                case AlterTableActionKind.SetDefault:
                case AlterTableActionKind.DropDefault:
                    return true;
                default:
                    return false;
            }
        }
    }
}
