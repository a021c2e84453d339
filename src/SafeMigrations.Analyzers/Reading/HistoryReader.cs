using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Reading
{
    /// <summary>
    /// Builds the <see cref="SchemaHistory"/> of a compilation: finds every <c>[Migration("id")]</c> class, orders each
    /// DbContext's migrations by id (as EF does) and replays their <c>Up</c> steps. What it cannot read for sure
    /// (SQL computed at run time, helper methods, statements it does not model) makes the touched tables, or all of
    /// them, unsure, so that rules fall back to judging the step alone.
    /// </summary>
    internal sealed class HistoryReader
    {
        private const string MigrationAttributeName = "Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute";
        private const string DbContextAttributeName = "Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute";

        private readonly EfSymbols _symbols;
        private readonly Func<INamedTypeSymbol, IMethodSymbol, MigrationModel?> _readUp;
        private readonly Func<INamedTypeSymbol, TableName, string, BuilderCall, string?> _storeType;

        private HistoryReader(EfSymbols symbols, Func<INamedTypeSymbol, IMethodSymbol, MigrationModel?> readUp, Func<INamedTypeSymbol, TableName, string, BuilderCall, string?> storeType)
        {
            _symbols = symbols;
            _readUp = readUp;
            _storeType = storeType;
        }

        /// <summary>
        /// The history of <paramref name="compilation"/>; <paramref name="readUp"/> reads (or returns the already read)
        /// <c>Up</c> of a migration, <paramref name="storeType"/> gives the store type of a column step that names none.
        /// </summary>
        [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0030:Do not use banned APIs", Justification = "Runs once per compilation (MigrationCompilationState caches the history); its two attributes serve only it.")]
        public static SchemaHistory Build(Compilation compilation, EfSymbols symbols, Func<INamedTypeSymbol, IMethodSymbol, MigrationModel?> readUp, Func<INamedTypeSymbol, TableName, string, BuilderCall, string?> storeType, CancellationToken cancellationToken)
        {
            var migrationAttribute = compilation.GetTypeByMetadataName(MigrationAttributeName);
            if (migrationAttribute is null)
            {
                return SchemaHistory.None;
            }

            var contextAttribute = compilation.GetTypeByMetadataName(DbContextAttributeName);
            var byContext = new Dictionary<string, List<(string Id, INamedTypeSymbol Type)>>(StringComparer.Ordinal);
            foreach (var type in Types(compilation.Assembly.GlobalNamespace))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (type.TypeKind != TypeKind.Class || type.IsAbstract || !symbols.IsMigration(type))
                {
                    continue;
                }

                string? id = null;
                var context = string.Empty;
                foreach (var attribute in type.GetAttributes())
                {
                    if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, migrationAttribute)
                        && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string value)
                    {
                        id = value;
                    }
                    else if (contextAttribute != null && SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, contextAttribute)
                             && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is ITypeSymbol contextType)
                    {
                        context = contextType.ToDisplayString();
                    }
                }

                if (id != null)
                {
                    if (!byContext.TryGetValue(context, out var list))
                    {
                        list = new List<(string, INamedTypeSymbol)>();
                        byContext[context] = list;
                    }

                    list.Add((id, type));
                }
            }

            var reader = new HistoryReader(symbols, readUp, storeType);
            var before = ImmutableDictionary.CreateBuilder<INamedTypeSymbol, SchemaState>(SymbolEqualityComparer.Default);
            var previous = ImmutableDictionary.CreateBuilder<INamedTypeSymbol, INamedTypeSymbol>(SymbolEqualityComparer.Default);
            foreach (var migrations in byContext.Values)
            {
                migrations.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
                var state = SchemaState.Empty;
                INamedTypeSymbol? last = null;
                foreach (var (_, type) in migrations)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (last != null)
                    {
                        previous[type] = last;
                    }
                    else if (!reader.CreatesTables(type))
                    {
                        // The first migration creates no table: a baseline over a database made some other way.
                        state = state.Unsure(null, indexes: true);
                    }

                    before[type] = state;

                    state = reader.Apply(state, type);
                    last = type;
                }
            }

            return new SchemaHistory(before.ToImmutable(), previous.ToImmutable());
        }

        /// <summary>
        /// <paramref name="before"/> (the schema before <paramref name="up"/>) with the steps of <paramref name="up"/> that
        /// come before step <paramref name="stepIndex"/> applied.
        /// </summary>
        public static SchemaState BeforeStep(SchemaState before, MigrationModel up, int stepIndex, EfSymbols symbols, Func<INamedTypeSymbol, TableName, string, BuilderCall, string?> storeType)
        {
            var reader = new HistoryReader(symbols, (_, _) => null, storeType);
            var state = before;
            foreach (var step in up.Steps)
            {
                if (step.Index >= stepIndex)
                {
                    break;
                }

                state = step.Sql is { } sql ? SqlHistory.Apply(state, sql) : reader.ApplyStep(state, step, up.MigrationType);
            }

            return state;
        }

        private static IEnumerable<INamedTypeSymbol> Types(INamespaceSymbol ns)
        {
            foreach (var member in ns.GetMembers())
            {
                if (member is INamespaceSymbol child)
                {
                    foreach (var type in Types(child))
                    {
                        yield return type;
                    }
                }
                else if (member is INamedTypeSymbol type)
                {
                    yield return type;
                }
            }
        }

        private MigrationModel? Up(INamedTypeSymbol type)
        {
            foreach (var member in type.GetMembers("Up"))
            {
                if (member is IMethodSymbol method && _symbols.IsUpOrDown(method, out var direction) && direction == MigrationDirection.Up)
                {
                    return _readUp(type, method);
                }
            }

            return null;
        }

        private bool CreatesTables(INamedTypeSymbol type)
        {
            var up = Up(type);
            if (up is null)
            {
                return false;
            }

            foreach (var step in up.Steps)
            {
                if (step.IsBuilderMethod("CreateTable"))
                {
                    return true;
                }
            }

            return false;
        }

        private SchemaState Apply(SchemaState state, INamedTypeSymbol type)
        {
            var up = Up(type);
            if (up is null || PassesBuilderElsewhere(up))
            {
                // Up inherited from a base class, or steps made in helper methods: not followed.
                return state.Unsure(null, indexes: true);
            }

            foreach (var step in up.Steps)
            {
                state = step.Sql is { } sql ? SqlHistory.Apply(state, sql) : ApplyStep(state, step, type);
            }

            return state;
        }

        /// <summary>Up passes its MigrationBuilder on (<c>Helper(migrationBuilder)</c>): the calls made in there are not read.</summary>
        private static bool PassesBuilderElsewhere(MigrationModel up)
        {
            var builder = up.Method.Parameters[0].Name;
            foreach (var reference in up.Method.DeclaringSyntaxReferences)
            {
                foreach (var node in reference.GetSyntax().DescendantNodes())
                {
                    if (node is ArgumentSyntax { Expression: IdentifierNameSyntax name } && name.Identifier.ValueText == builder)
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private SchemaState ApplyStep(SchemaState state, MigrationStep step, INamedTypeSymbol migration)
        {
            var table = step.Table;
            if (step.IsExtension)
            {
                return ApplySafeStep(state, step, table);
            }

            switch (step.MethodName)
            {
                case "CreateTable":
                    return table is { } created
                        ? WithConstraintIndexes(state.WithTable(created, ReadColumns(step, created, migration)), step, created)
                        : state.Unsure(null, indexes: true);
                case "DropTable":
                    return table is { } dropped ? state.WithoutTable(dropped) : state.Unsure(null, indexes: true);
                case "RenameTable":
                    if (table is { } renamed && step.GetString("newName") is { } newName)
                    {
                        var target = new TableName(step.HasArgument("newSchema") ? step.GetString("newSchema") : renamed.Schema, newName);
                        // Index names are per schema: moving the table to another schema leaves them unsure.
                        var renamedState = state.WithRenamedTable(renamed, target);
                        return target.Schema == renamed.Schema ? renamedState : renamedState.IndexesUnsure();
                    }

                    return state.Unsure(null, indexes: true);
                case "AddColumn":
                case "AlterColumn":
                    return state.WithColumn(table, step.Name, () => ColumnOf(step, table!.Value, migration));
                case "DropColumn":
                    return state.WithColumn(table, step.Name, () => null);
                case "RenameColumn":
                    return state.WithRenamedColumn(table, step.Name, step.GetString("newName"));
                case "CreateIndex":
                    return IndexName(step) is { } index && table is { } indexed
                        ? state.WithIndex(index, new IndexState(indexed, Columns(step)))
                        : state.Unsure(null, indexes: true);
                case "DropIndex":
                case "DropPrimaryKey":
                case "DropUniqueConstraint":
                    return IndexName(step) is { } gone ? state.WithIndex(gone, null) : state.Unsure(null, indexes: true);
                case "RenameIndex":
                    if (IndexName(step) is { } old && step.GetString("newName") is { } newIndex && state.Indexes.TryGetValue(old, out var moved))
                    {
                        return state.WithIndex(old, null).WithIndex(SchemaState.IndexKey(step.Schema, newIndex), moved);
                    }

                    return state.Unsure(null, indexes: true);
                case "AddPrimaryKey":
                case "AddUniqueConstraint":
                    if (table is { } keyed && IndexName(step) is { } key)
                    {
                        var keyColumns = Columns(step);
                        var next = state.WithIndex(key, new IndexState(keyed, keyColumns));
                        return step.MethodName == "AddPrimaryKey" ? next.WithNotNull(keyed, keyColumns) : next;
                    }

                    return state.Unsure(table, indexes: true);
                default:
                    // Foreign keys, checks, data, sequences, comments: no column or index of interest changes.
                    return state;
            }
        }

        /// <summary>The indexes of CreateTable's <c>table.PrimaryKey("PK_x", ...)</c> and <c>table.UniqueConstraint("AK_x", ...)</c>.</summary>
        private static SchemaState WithConstraintIndexes(SchemaState state, MigrationStep step, TableName table)
        {
            var constraints = step["constraints"];
            if (constraints.Operation is { } bound)
            {
                foreach (var operation in bound.Descendants())
                {
                    if (operation is IInvocationOperation { TargetMethod: { Name: "PrimaryKey" or "UniqueConstraint" } } invocation)
                    {
                        state = WithConstraintIndex(state, table, invocation.Arguments.Length > 0 ? StepValue.Read(invocation.Arguments[0].Value).AsString() : null);
                    }
                }
            }
            else if (constraints.Syntax is { } lambda)
            {
                // Read from syntax: the reader made sure every such name is a constant it reads.
                foreach (var name in SyntaxMigrationReader.ConstraintNames(lambda))
                {
                    state = WithConstraintIndex(state, table, name);
                }
            }

            return state;
        }

        private static SchemaState WithConstraintIndex(SchemaState state, TableName table, string? name) =>
            name is null ? state.IndexesUnsure() : state.WithIndex(SchemaState.IndexKey(table.Schema, name), new IndexState(table, default));

        private static SchemaState ApplySafeStep(SchemaState state, MigrationStep step, TableName? table)
        {
            switch (step.MethodName)
            {
                case "CreateIndexConcurrently":
                case "CreateExpressionIndexConcurrently":
                    return IndexName(step) is { } index && table is { } indexed
                        ? state.WithIndex(index, new IndexState(indexed, Columns(step)))
                        : state.Unsure(null, indexes: true);
                case "DropIndexConcurrently":
                    return IndexName(step) is { } gone ? state.WithIndex(gone, null) : state.Unsure(null, indexes: true);
                case "SetNotNullThroughCheck":
                    return table is { } t && step.GetString("column") is { } column ? state.WithNotNull(t, ImmutableArray.Create(column)) : state.Unsure(table, indexes: false);
                case "AddPrimaryKeyUsingIndex":
                    return table is { } pk ? state.WithNotNull(pk, Columns(step)) : state.Unsure(null, indexes: true);
                case "AddUniqueConstraintUsingIndex":
                case "Backfill":
                case "DeleteInBatches":
                case "AddForeignKeyNotValid":
                case "AddCheckConstraintNotValid":
                case "ValidateConstraint":
                case "CreateSyncTrigger":
                case "DropSyncTrigger":
                case "CreateCompatibilityView":
                case "DropCompatibilityView":
                    return state;
                default:
                    // SwapColumns and any other extension: what it does to the table is not modelled.
                    return state.Unsure(table, indexes: true);
            }
        }

        private ImmutableDictionary<string, ColumnState>? ReadColumns(MigrationStep step, TableName table, INamedTypeSymbol migration)
        {
            var columns = ImmutableDictionary.CreateBuilder<string, ColumnState>(StringComparer.Ordinal);
            foreach (var column in step.Columns)
            {
                if (column.Name is null)
                {
                    return null;
                }

                columns[column.Name] = new ColumnState(
                    column.StoreType ?? _storeType(migration, table, column.Name, column),
                    column.Nullable,
                    DefaultText(column));
            }

            return columns.ToImmutable();
        }

        private ColumnState ColumnOf(MigrationStep step, TableName table, INamedTypeSymbol migration) =>
            new ColumnState(
                step.GetString("type") ?? _storeType(migration, table, step.Name!, step),
                step.GetBool("nullable"),
                DefaultText(step));

        /// <summary>The default as written: the SQL, or the constant; empty for none; null when not a constant.</summary>
        internal static string? DefaultText(BuilderCall call) => DefaultText(call["defaultValueSql"], call["defaultValue"]);

        /// <summary>Same for a pair of <c>defaultValueSql</c> / <c>defaultValue</c> arguments (or their <c>old...</c> forms).</summary>
        internal static string? DefaultText(StepValue sql, StepValue value)
        {
            if (!sql.IsOmitted && !sql.IsNull)
            {
                return sql.AsString()?.Trim();
            }

            if (value.IsOmitted || value.IsNull)
            {
                return string.Empty;
            }

            return value.HasConstant ? "'" + Convert.ToString(value.Constant, System.Globalization.CultureInfo.InvariantCulture) + "'" : null;
        }

        /// <summary>The store type Npgsql maps a CLR type to when the call names none (unambiguous types only; DateTime depends on the Npgsql version).</summary>
        internal static string? ClrStoreType(BuilderCall call)
        {
            if (call.GetBool("fixedLength") == true)
            {
                return null;
            }

            var maxLength = call["maxLength"].AsInt();
            switch (call.TypeArgument?.SpecialType)
            {
                case SpecialType.System_String:
                    return maxLength is { } n ? "character varying(" + n + ")" : "text";
                case SpecialType.System_Int16:
                    return "smallint";
                case SpecialType.System_Int32:
                    return "integer";
                case SpecialType.System_Int64:
                    return "bigint";
                case SpecialType.System_Boolean:
                    return "boolean";
                case SpecialType.System_Double:
                    return "double precision";
                case SpecialType.System_Single:
                    return "real";
                default:
                    return call.TypeArgument is { Name: "Guid", ContainingNamespace: { Name: "System" } } ? "uuid" : null;
            }
        }

        private static string? IndexName(MigrationStep step) => step.Name is { } name ? SchemaState.IndexKey(step.Schema, name) : null;

        /// <summary><c>column:</c> or <c>columns:</c> of a step; default when not constant.</summary>
        private static ImmutableArray<string> Columns(MigrationStep step)
        {
            if (step.GetString("column") is { } column)
            {
                return ImmutableArray.Create(column);
            }

            if (step["columns"].AsStrings() is { } columns)
            {
                var builder = ImmutableArray.CreateBuilder<string>(columns.Length);
                foreach (var c in columns)
                {
                    if (c is null)
                    {
                        return default;
                    }

                    builder.Add(c);
                }

                return builder.MoveToImmutable();
            }

            return default;
        }
    }
}
