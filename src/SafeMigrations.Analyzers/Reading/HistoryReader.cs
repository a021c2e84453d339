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

        /// <summary>The state a history starts from when its first migration creates no table: a baseline over a database made some other way.</summary>
        private static readonly SchemaState Baseline = SchemaState.Empty.Unsure(null, indexes: true);

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
        /// With <paramref name="reuseAcrossCompilations"/>, each migration (its attributes and Up) is taken from an earlier
        /// compilation when its files are the same (the IDE re-analyses after every edit, see <see cref="HistoryCache"/>);
        /// without, every migration is found and read.
        /// </summary>
        [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0030:Do not use banned APIs", Justification = "Runs once per compilation (MigrationCompilationState caches the history); its two attributes serve only it.")]
        public static SchemaHistory Build(Compilation compilation, EfSymbols symbols, Func<INamedTypeSymbol, IMethodSymbol, MigrationModel?> readUp, Func<INamedTypeSymbol, TableName, string, BuilderCall, string?> storeType, CancellationToken cancellationToken, bool reuseAcrossCompilations = false)
        {
            var migrationAttribute = compilation.GetTypeByMetadataName(MigrationAttributeName);
            if (migrationAttribute is null)
            {
                return SchemaHistory.None;
            }

            var contextAttribute = compilation.GetTypeByMetadataName(DbContextAttributeName);
            var types = new List<(INamedTypeSymbol Type, string Name)>();
            var declared = reuseAcrossCompilations ? new HashSet<string>(StringComparer.Ordinal) : null;
            Collect(compilation.Assembly.GlobalNamespace, string.Empty, types, declared);
            var cached = declared is null ? null : HistoryCache.For(compilation, declared);
            var reader = new HistoryReader(symbols, readUp, storeType);
            var byContext = new Dictionary<string, List<(string Id, INamedTypeSymbol Type, MigrationContribution? Contribution)>>(StringComparer.Ordinal);
            var reused = 0;
            foreach (var (type, name) in types)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string? id = null;
                var context = string.Empty;
                MigrationContribution? contribution = null;
                if (cached?.TryGet(type, name) is { } entry)
                {
                    // The same files under the same names: a migration, its attributes and its Up as read before.
                    (id, context, contribution) = (entry.Id, entry.Context, entry.Contribution);
                    reused++;
                }
                else
                {
                    if (type.TypeKind != TypeKind.Class || type.IsAbstract || !symbols.IsMigration(type))
                    {
                        continue;
                    }

                    var literalAttributes = true;
                    foreach (var attribute in type.GetAttributes())
                    {
                        if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, migrationAttribute)
                            && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string value)
                        {
                            id = value;
                            literalAttributes &= HistoryCache.IsLiteral(attribute);
                        }
                        else if (contextAttribute != null && SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, contextAttribute)
                                 && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is ITypeSymbol contextType)
                        {
                            context = contextType.ToDisplayString();
                            literalAttributes &= HistoryCache.IsLiteral(attribute);
                        }
                    }

                    if (id != null && cached != null)
                    {
                        contribution = reader.Contribution(type);
                        if (literalAttributes)
                        {
                            cached.Add(type, name, id, context, contribution);
                        }
                    }
                }

                if (id != null)
                {
                    if (!byContext.TryGetValue(context, out var list))
                    {
                        list = new List<(string, INamedTypeSymbol, MigrationContribution?)>();
                        byContext[context] = list;
                    }

                    list.Add((id, type, contribution));
                }
            }

            var before = ImmutableDictionary.CreateBuilder<INamedTypeSymbol, SchemaState>(SymbolEqualityComparer.Default);
            var previous = ImmutableDictionary.CreateBuilder<INamedTypeSymbol, INamedTypeSymbol>(SymbolEqualityComparer.Default);
            var contributions = ImmutableDictionary.CreateBuilder<INamedTypeSymbol, MigrationContribution>(SymbolEqualityComparer.Default);
            foreach (var migrations in byContext.Values)
            {
                migrations.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
                var state = SchemaState.Empty;
                INamedTypeSymbol? last = null;
                foreach (var (_, type, read) in migrations)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var contribution = read ?? reader.Contribution(type);
                    contributions[type] = contribution;
                    if (last != null)
                    {
                        previous[type] = last;
                    }
                    else if (!contribution.CreatesTables)
                    {
                        state = Baseline;
                    }

                    before[type] = state;
                    state = contribution.After(state);
                    last = type;
                }
            }

            return new SchemaHistory(before.ToImmutable(), previous.ToImmutable(), contributions.ToImmutable(), reused);
        }

        /// <summary>
        /// <paramref name="before"/> (the schema before a migration) with <paramref name="steps"/> of its Up that come
        /// before step <paramref name="stepIndex"/> applied.
        /// </summary>
        public static SchemaState Apply(SchemaState before, ImmutableArray<HistoryStep> steps, int stepIndex)
        {
            var state = before;
            foreach (var step in steps)
            {
                if (step.Index >= stepIndex)
                {
                    break;
                }

                state = step.IsSql ? SqlHistory.Apply(state, step.Statements) : ApplyStep(state, step);
            }

            return state;
        }

        /// <summary>
        /// The types declared directly in <paramref name="ns"/> and the namespaces under it (migrations are not nested),
        /// with their full names; with <paramref name="declared"/>, also the key of every namespace and type, nested ones
        /// included, for <see cref="HistoryCache"/>.
        /// </summary>
        private static void Collect(INamespaceSymbol ns, string prefix, List<(INamedTypeSymbol, string)> types, HashSet<string>? declared)
        {
            foreach (var member in ns.GetMembers())
            {
                if (member is INamespaceSymbol child)
                {
                    var name = prefix + child.Name;
                    declared?.Add(HistoryCache.NamespaceKey(name));
                    Collect(child, name + ".", types, declared);
                }
                else if (member is INamedTypeSymbol type)
                {
                    var name = prefix + type.MetadataName;
                    types.Add((type, name));
                    if (declared != null)
                    {
                        Declared(type, name, declared);
                    }
                }
            }
        }

        private static void Declared(INamedTypeSymbol type, string name, HashSet<string> declared)
        {
            declared.Add(HistoryCache.TypeKey(type, name));
            foreach (var nested in type.GetTypeMembers())
            {
                Declared(nested, name + "+" + nested.MetadataName, declared);
            }
        }

        /// <summary>Reads <paramref name="type"/>'s Up into its symbol-free contribution to the history.</summary>
        private MigrationContribution Contribution(INamedTypeSymbol type)
        {
            // A base class in source other than Migration could change what the migration's names bind to.
            var ownFilesOnly = SymbolEqualityComparer.Default.Equals(type.BaseType, _symbols.Migration);
            var up = Up(type);
            if (up is null)
            {
                return new MigrationContribution(hasReadableUp: false, createsTables: false, ImmutableArray<HistoryStep>.Empty, ownFilesOnly);
            }

            var steps = ImmutableArray.CreateBuilder<HistoryStep>(up.Steps.Length);
            var createsTables = false;
            foreach (var step in up.Steps)
            {
                createsTables |= step.IsBuilderMethod("CreateTable");
                steps.Add(Read(step, type));
            }

            return new MigrationContribution(!PassesBuilderElsewhere(up), createsTables, steps.MoveToImmutable(), ownFilesOnly && up.ReadFromOwnSyntax);
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

        /// <summary>What the replay needs of <paramref name="step"/>, store types looked up (in the Designer file or by CLR type).</summary>
        private HistoryStep Read(MigrationStep step, INamedTypeSymbol migration)
        {
            var table = step.Table;
            var name = step.Name;
            var newName = step.GetString("newName");
            ColumnState? columnState = null;
            ImmutableDictionary<string, ColumnState>? createdColumns = null;
            var constraintNames = ImmutableArray<string?>.Empty;
            TableName? renamedTo = null;
            if (step.Sql is null && !step.IsExtension)
            {
                switch (step.MethodName)
                {
                    case "CreateTable" when table is { } created:
                        createdColumns = ReadColumns(step, created, migration);
                        constraintNames = ConstraintNames(step);
                        break;
                    case "AddColumn" when table != null && name != null:
                    case "AlterColumn" when table != null && name != null:
                        columnState = ColumnOf(step, table.Value, name, migration);
                        break;
                    case "RenameTable" when table is { } renamed && newName != null:
                        renamedTo = new TableName(step.HasArgument("newSchema") ? step.GetString("newSchema") : renamed.Schema, newName);
                        break;
                }
            }

            return new HistoryStep(
                step.Index,
                step.Sql != null,
                step.Sql is { IsConstant: true } sql ? sql.Statements : null,
                step.MethodName,
                step.IsExtension,
                table,
                name,
                step.Schema,
                newName,
                renamedTo,
                step.GetString("column"),
                Columns(step),
                columnState,
                createdColumns,
                constraintNames,
                step.GetString("filter"));
        }

        private static SchemaState ApplyStep(SchemaState state, HistoryStep step)
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
                        ? WithConstraintIndexes(state.WithTable(created, step.CreatedColumns), step.ConstraintNames, created)
                        : state.Unsure(null, indexes: true);
                case "DropTable":
                    return table is { } dropped ? state.WithoutTable(dropped) : state.Unsure(null, indexes: true);
                case "RenameTable":
                    if (table is { } renamed && step.RenamedTo is { } target)
                    {
                        // Index names are per schema: moving the table to another schema leaves them unsure.
                        var renamedState = state.WithRenamedTable(renamed, target);
                        return target.Schema == renamed.Schema ? renamedState : renamedState.IndexesUnsure();
                    }

                    return state.Unsure(null, indexes: true);
                case "AddColumn":
                case "AlterColumn":
                    return state.WithColumn(table, step.Name, () => step.ColumnState);
                case "DropColumn":
                    return state.WithColumn(table, step.Name, () => null);
                case "RenameColumn":
                    return state.WithRenamedColumn(table, step.Name, step.NewName);
                case "CreateIndex":
                    return IndexName(step) is { } index && table is { } indexed
                        ? state.WithIndex(index, new IndexState(indexed, step.Columns, step.Filter))
                        : state.Unsure(null, indexes: true);
                case "DropIndex":
                case "DropPrimaryKey":
                case "DropUniqueConstraint":
                    return IndexName(step) is { } gone ? state.WithIndex(gone, null) : state.Unsure(null, indexes: true);
                case "RenameIndex":
                    if (IndexName(step) is { } old && step.NewName is { } newIndex && state.Indexes.TryGetValue(old, out var moved))
                    {
                        return state.WithIndex(old, null).WithIndex(SchemaState.IndexKey(step.Schema, newIndex), moved);
                    }

                    return state.Unsure(null, indexes: true);
                case "AddPrimaryKey":
                case "AddUniqueConstraint":
                    if (table is { } keyed && IndexName(step) is { } key)
                    {
                        var next = state.WithIndex(key, new IndexState(keyed, step.Columns));
                        return step.MethodName == "AddPrimaryKey" ? next.WithNotNull(keyed, step.Columns) : next;
                    }

                    return state.Unsure(table, indexes: true);
                default:
                    // Foreign keys, checks, data, sequences, comments: no column or index of interest changes.
                    return state;
            }
        }

        /// <summary>CreateTable's <c>table.PrimaryKey("PK_x", ...)</c> and <c>table.UniqueConstraint("AK_x", ...)</c> names.</summary>
        private static ImmutableArray<string?> ConstraintNames(MigrationStep step)
        {
            var constraints = step["constraints"];
            var names = ImmutableArray.CreateBuilder<string?>();
            if (constraints.Operation is { } bound)
            {
                foreach (var operation in bound.Descendants())
                {
                    if (operation is IInvocationOperation { TargetMethod: { Name: "PrimaryKey" or "UniqueConstraint" } } invocation)
                    {
                        names.Add(invocation.Arguments.Length > 0 ? StepValue.Read(invocation.Arguments[0].Value).AsString() : null);
                    }
                }
            }
            else if (constraints.Syntax is { } lambda)
            {
                // Read from syntax: the reader made sure every such name is a constant it reads.
                names.AddRange(SyntaxMigrationReader.ConstraintNames(lambda));
            }

            return names.ToImmutable();
        }

        /// <summary>The indexes of CreateTable's primary key and unique constraints.</summary>
        private static SchemaState WithConstraintIndexes(SchemaState state, ImmutableArray<string?> names, TableName table)
        {
            foreach (var name in names)
            {
                state = name is null ? state.IndexesUnsure() : state.WithIndex(SchemaState.IndexKey(table.Schema, name), new IndexState(table, default));
            }

            return state;
        }

        private static SchemaState ApplySafeStep(SchemaState state, HistoryStep step, TableName? table)
        {
            switch (step.MethodName)
            {
                case "CreateIndexConcurrently":
                case "CreateExpressionIndexConcurrently":
                    return IndexName(step) is { } index && table is { } indexed
                        ? state.WithIndex(index, new IndexState(indexed, step.Columns, step.Filter))
                        : state.Unsure(null, indexes: true);
                case "DropIndexConcurrently":
                    return IndexName(step) is { } gone ? state.WithIndex(gone, null) : state.Unsure(null, indexes: true);
                case "SetNotNullThroughCheck":
                    return table is { } t && step.Column is { } column ? state.WithNotNull(t, ImmutableArray.Create(column)) : state.Unsure(table, indexes: false);
                case "AddPrimaryKeyUsingIndex":
                    return table is { } pk ? state.WithNotNull(pk, step.Columns) : state.Unsure(null, indexes: true);
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

        private ColumnState ColumnOf(MigrationStep step, TableName table, string name, INamedTypeSymbol migration) =>
            new ColumnState(
                step.GetString("type") ?? _storeType(migration, table, name, step),
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

        private static string? IndexName(HistoryStep step) => step.Name is { } name ? SchemaState.IndexKey(step.Schema, name) : null;

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
