using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Reading
{
    /// <summary>Replays a migration's raw SQL on a <see cref="SchemaState"/> (part of <see cref="HistoryReader"/>).</summary>
    internal static class SqlHistory
    {
        /// <summary>
        /// The schema after <paramref name="statements"/> of one <c>Sql(...)</c> step; what is not read for sure (SQL
        /// computed at run time: null, DO blocks, statements not modelled) makes the touched tables, or all of them, unsure.
        /// </summary>
        public static SchemaState Apply(SchemaState state, IReadOnlyList<SqlStatement>? statements)
        {
            if (statements is null)
            {
                return state.Unsure(null, indexes: true);
            }

            foreach (var statement in statements)
            {
                var table = TableName.From(statement.Table);
                switch (statement.Kind)
                {
                    case StatementKind.CreateTable:
                        // Columns are not read; inline keys make indexes with generated names.
                        state = table is { } created ? state.WithTable(created, null).IndexesUnsure() : state.Unsure(null, indexes: true);
                        break;
                    case StatementKind.DropTable:
                        foreach (var dropped in statement.Tables.Count > 0 ? statement.Tables : (IReadOnlyList<QualifiedName>)new[] { statement.Table! })
                        {
                            state = dropped is null ? state.Unsure(null, indexes: true) : state.WithoutTable(new TableName(dropped.Schema, dropped.Name));
                        }

                        break;
                    case StatementKind.CreateIndex:
                        state = statement.Index is { } index && table is { } indexed
                            ? state.WithIndex(SchemaState.IndexKey(index.Schema ?? indexed.Schema, index.Name), new IndexState(indexed, IndexColumns(statement)))
                            : state.Unsure(null, indexes: true);
                        break;
                    case StatementKind.DropIndex:
                        foreach (var dropped in statement.Indexes.Count > 0 ? statement.Indexes : (IReadOnlyList<QualifiedName>)new[] { statement.Index! })
                        {
                            state = dropped is null ? state.Unsure(null, indexes: true) : state.WithIndex(SchemaState.IndexKey(dropped.Schema, dropped.Name), null);
                        }

                        break;
                    case StatementKind.AlterTable:
                        state = table is { } altered ? ApplyAlterTable(state, altered, statement) : state.Unsure(null, indexes: true);
                        break;
                    case StatementKind.Do:
                        // A DO block may change anything.
                        state = state.Unsure(null, indexes: true);
                        break;
                    case StatementKind.AlterIndex:
                    case StatementKind.Other:
                    case StatementKind.Unknown:
                        // GRANT, CREATE EXTENSION, ALTER INDEX ... RENAME...: columns stay, but an index may have been made or renamed.
                        state = table is { } named ? state.Unsure(named, indexes: true) : state.IndexesUnsure();
                        break;
                }
            }

            return state;
        }

        private static SchemaState ApplyAlterTable(SchemaState state, TableName table, SqlStatement statement)
        {
            foreach (var action in statement.Actions)
            {
                var column = action.Column;
                switch (action.Kind)
                {
                    case AlterTableActionKind.AddColumn:
                        var notNull = action.NotNull || action.InlineConstraints.Contains(ConstraintKind.PrimaryKey);
                        state = state.WithColumn(table, column, () => new ColumnState(action.DataType, !notNull, action.DefaultExpression?.Trim() ?? string.Empty));
                        if (action.InlineConstraints.Contains(ConstraintKind.PrimaryKey) || action.InlineConstraints.Contains(ConstraintKind.Unique))
                        {
                            state = state.IndexesUnsure();
                        }

                        break;
                    case AlterTableActionKind.DropColumn:
                        state = state.WithColumn(table, column, () => null);
                        break;
                    case AlterTableActionKind.RenameColumn:
                        state = state.WithRenamedColumn(table, column, action.Name);
                        break;
                    case AlterTableActionKind.AlterColumnType:
                        state = state.ChangeColumn(table, column, c => c.With(action.DataType, c.IsNullable, c.DefaultText));
                        break;
                    case AlterTableActionKind.SetNotNull:
                    case AlterTableActionKind.DropNotNull:
                        var nullable = action.Kind == AlterTableActionKind.DropNotNull;
                        state = state.ChangeColumn(table, column, c => c.With(c.StoreType, nullable, c.DefaultText));
                        break;
                    case AlterTableActionKind.SetDefault:
                        state = state.ChangeColumn(table, column, c => c.With(c.StoreType, c.IsNullable, action.DefaultExpression?.Trim()));
                        break;
                    case AlterTableActionKind.DropDefault:
                        state = state.ChangeColumn(table, column, c => c.With(c.StoreType, c.IsNullable, string.Empty));
                        break;
                    case AlterTableActionKind.AddConstraint:
                        state = AddConstraint(state, table, action);
                        break;
                    case AlterTableActionKind.DropConstraint:
                        if (action.Name != null)
                        {
                            state = state.WithIndex(SchemaState.IndexKey(table.Schema, action.Name), null);
                        }

                        break;
                    case AlterTableActionKind.RenameTable when action.Name != null:
                        return state.WithRenamedTable(table, new TableName(table.Schema, action.Name));
                    case AlterTableActionKind.ValidateConstraint:
                        break;
                    default:
                        state = state.Unsure(table, indexes: true);
                        break;
                }
            }

            return state;
        }

        private static SchemaState AddConstraint(SchemaState state, TableName table, AlterTableAction action)
        {
            if (action.Constraint != ConstraintKind.PrimaryKey && action.Constraint != ConstraintKind.Unique)
            {
                return action.Constraint == ConstraintKind.NotNull && action.Column != null
                    ? state.WithNotNull(table, ImmutableArray.Create(action.Column))
                    : state;
            }

            if (action.Name is null)
            {
                return state.Unsure(null, indexes: true);
            }

            var key = SchemaState.IndexKey(table.Schema, action.Name);
            var columns = action.Columns.Count > 0 ? action.Columns.ToImmutableArray() : default;
            if (action.UsingIndex && action.IndexName != null)
            {
                // USING INDEX renames the index to the constraint's name.
                var used = state.Index(table.Schema, action.IndexName);
                columns = used?.Columns ?? default;
                state = state.WithIndex(SchemaState.IndexKey(table.Schema, action.IndexName), null);
            }

            state = state.WithIndex(key, new IndexState(table, columns));
            return action.Constraint == ConstraintKind.PrimaryKey ? state.WithNotNull(table, columns) : state;
        }

        /// <summary>The plain column list of <c>CREATE INDEX ... ON t [USING m] (a, b)</c>; default for expressions.</summary>
        private static ImmutableArray<string> IndexColumns(SqlStatement statement)
        {
            var tokens = statement.Tokens;
            var i = 0;
            while (i < tokens.Count && !(tokens[i].Kind == SqlTokenKind.Identifier && tokens[i].Value == "on"))
            {
                i++;
            }

            while (i < tokens.Count && tokens[i].Kind != SqlTokenKind.OpenParen)
            {
                i++;
            }

            var columns = ImmutableArray.CreateBuilder<string>();
            for (i++; i < tokens.Count; i += 2)
            {
                var name = tokens[i];
                if ((name.Kind != SqlTokenKind.Identifier && name.Kind != SqlTokenKind.QuotedIdentifier) || i + 1 >= tokens.Count)
                {
                    return default;
                }

                columns.Add(name.Value);
                var next = tokens[i + 1].Kind;
                if (next == SqlTokenKind.CloseParen)
                {
                    return columns.ToImmutable();
                }

                if (next != SqlTokenKind.Comma)
                {
                    return default;
                }
            }

            return default;
        }
    }
}
