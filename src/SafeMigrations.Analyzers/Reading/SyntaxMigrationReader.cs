using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SafeMigrations.Analyzers.Model;

namespace SafeMigrations.Analyzers.Reading
{
    /// <summary>
    /// Reads an <c>Up</c> or <c>Down</c> body into the same <see cref="MigrationModel"/> as <see cref="MigrationReader"/>
    /// without binding the body (binding every Up/Down costs as much as the compile itself; docs/benchmarks.md,
    /// Analyzer cost). It recognises the shapes EF scaffolds and people write: one <c>migrationBuilder.X(...)</c> or
    /// <c>X&lt;T&gt;(...)</c> call per statement with literal arguments (strings, numbers, bools, null, arrays,
    /// <c>typeof</c>, enum members), chained <c>.Annotation</c>/<c>.OldAnnotation</c> and <c>CreateTable</c>'s
    /// columns and constraints lambdas. The overload is chosen from MigrationBuilder's members by argument names,
    /// count, kinds and type arguments; omitted arguments take the parameter defaults. Anything it is not certain of
    /// (extension methods, locals, loops, helper calls, named constants, ambiguous overloads) returns null, and the
    /// caller binds that method instead.
    /// </summary>
    internal sealed class SyntaxMigrationReader
    {
        private readonly EfSymbols _symbols;
        private readonly Compilation _compilation;
        private readonly MethodDeclarationSyntax _declaration;
        private readonly string _builder;
        private readonly HashSet<string> _lambdaParameters = new HashSet<string>(StringComparer.Ordinal);
        private readonly Dictionary<string, ITypeSymbol?> _types = new Dictionary<string, ITypeSymbol?>(StringComparer.Ordinal);
        private SemanticModel? _semanticModel;
        private bool _boundSourceSymbol;

        private SyntaxMigrationReader(EfSymbols symbols, Compilation compilation, MethodDeclarationSyntax declaration, string builder)
        {
            _symbols = symbols;
            _compilation = compilation;
            _declaration = declaration;
            _builder = builder;
        }

        /// <summary>The model of <paramref name="declaration"/>, or null when some part of it needs binding to be read for sure.</summary>
        public static MigrationModel? TryRead(EfSymbols symbols, Compilation compilation, INamedTypeSymbol migrationType, IMethodSymbol method, MigrationDirection direction, MethodDeclarationSyntax declaration)
        {
            if (declaration.ContainsDiagnostics
                || declaration.ParameterList.Parameters.Count != 1
                || method.Parameters.Length != 1
                || !SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, symbols.MigrationBuilder))
            {
                return null;
            }

            var statements = new List<ExpressionSyntax>();
            if (declaration.Body is { } body)
            {
                foreach (var statement in body.Statements)
                {
                    if (statement is ExpressionStatementSyntax expression)
                    {
                        statements.Add(expression.Expression);
                    }
                    else if (!(statement is EmptyStatementSyntax))
                    {
                        return null;
                    }
                }
            }
            else if (declaration.ExpressionBody is { } arrow)
            {
                statements.Add(arrow.Expression);
            }
            else
            {
                return null;
            }

            var reader = new SyntaxMigrationReader(symbols, compilation, declaration, method.Parameters[0].Name);
            var isContractClass = MigrationReader.IsContractClass(symbols, migrationType);
            var steps = ImmutableArray.CreateBuilder<MigrationStep>(statements.Count);
            foreach (var statement in statements)
            {
                if (!(reader.ReadStep(statement, steps.Count, isContractClass) is { } step))
                {
                    return null;
                }

                steps.Add(step);
            }

            return new MigrationModel(migrationType, method, direction, isContractClass, steps.MoveToImmutable(), declaration.SyntaxTree, readFromOwnSyntax: !reader._boundSourceSymbol);
        }

        /// <summary>
        /// The first argument of each <c>PrimaryKey</c>/<c>UniqueConstraint</c> call in a constraints lambda read from
        /// syntax (the reader made sure each is a constant it can read); null for one that is not a constant string.
        /// </summary>
        public static IEnumerable<string?> ConstraintNames(SyntaxNode constraints)
        {
            foreach (var node in constraints.DescendantNodes())
            {
                if (node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name: { Identifier: { ValueText: "PrimaryKey" or "UniqueConstraint" } } } } call)
                {
                    yield return call.ArgumentList.Arguments.Count > 0 && Constant(call.ArgumentList.Arguments[0].Expression) is { } name ? name.Value as string : null;
                }
            }
        }

        private MigrationStep? ReadStep(ExpressionSyntax statement, int index, bool isContractClass)
        {
            if (!(Chain(statement, out var receiver) is { } calls) || !(receiver is IdentifierNameSyntax { Identifier: { ValueText: var name } }) || name != _builder)
            {
                return null;
            }

            var root = calls[0];
            if (!(Resolve(_symbols.MigrationBuilder, root, allowInferredColumns: true) is { } resolved))
            {
                return null;
            }

            var (method, arguments) = resolved;
            if (!(Annotations(calls, method.ReturnType, out var hasContractMark) is { } annotations))
            {
                return null;
            }

            var columns = ImmutableArray<ColumnDefinition>.Empty;
            SqlCall? sql = null;
            if (method.Name == "CreateTable")
            {
                if (!(Columns(arguments["columns"].Syntax) is { } read) || !ConstraintsAreReadable(arguments["constraints"].Syntax))
                {
                    return null;
                }

                columns = read;
            }
            else if (method.Name == "Sql")
            {
                sql = MigrationReader.SqlOf(arguments, root);
            }

            return new MigrationStep(index, root, method, null, arguments, annotations, hasContractMark, isContractClass, columns, sql);
        }

        /// <summary>
        /// <c>a.B(...).C(...).D(...)</c> as its calls from the innermost outwards, with the innermost call's receiver
        /// (<c>a</c>); null when the expression is not such a chain of member calls.
        /// </summary>
        private static List<InvocationExpressionSyntax>? Chain(ExpressionSyntax expression, out ExpressionSyntax? receiver)
        {
            receiver = null;
            var calls = new List<InvocationExpressionSyntax>();
            var current = expression;
            while (current is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } call && member.IsKind(SyntaxKind.SimpleMemberAccessExpression))
            {
                calls.Add(call);
                current = member.Expression;
            }

            if (calls.Count == 0)
            {
                return null;
            }

            calls.Reverse();
            receiver = current;
            return calls;
        }

        /// <summary>
        /// The <c>.Annotation(...)</c>/<c>.OldAnnotation(...)</c> calls chained after <paramref name="calls"/>[0] on a
        /// builder of type <paramref name="receiverType"/>; null when anything else is chained (an extension such as
        /// <c>InContractPhase()</c> is left to the binding reader).
        /// </summary>
        private ImmutableArray<StepAnnotation>? Annotations(List<InvocationExpressionSyntax> calls, ITypeSymbol receiverType, out bool hasContractMark)
        {
            hasContractMark = false;
            var annotations = ImmutableArray.CreateBuilder<StepAnnotation>(calls.Count - 1);
            var receiver = receiverType as INamedTypeSymbol;
            for (var i = 1; i < calls.Count; i++)
            {
                var call = calls[i];
                var name = ((MemberAccessExpressionSyntax)call.Expression).Name;
                if (receiver is null || !(name is IdentifierNameSyntax) || (name.Identifier.ValueText != "Annotation" && name.Identifier.ValueText != "OldAnnotation")
                    || !(Resolve(receiver, call, allowInferredColumns: false) is { } resolved)
                    || resolved.Method.Parameters.Length != 2)
                {
                    return null;
                }

                var parameters = resolved.Method.Parameters;
                var annotation = new StepAnnotation(
                    resolved.Arguments[parameters[0].Name].AsString(),
                    resolved.Arguments[parameters[1].Name],
                    isOld: name.Identifier.ValueText == "OldAnnotation");
                annotations.Add(annotation);
                if (annotation.MarksContractPhase)
                {
                    hasContractMark = true;
                }

                receiver = resolved.Method.ReturnType as INamedTypeSymbol;
            }

            return annotations.MoveToImmutable();
        }

        /// <summary><c>table =&gt; new { A = table.Column&lt;int&gt;(...), ... }</c>; null for any other shape.</summary>
        private ImmutableArray<ColumnDefinition>? Columns(SyntaxNode? lambda)
        {
            if (_symbols.ColumnsBuilder is null || !(LambdaParameter(lambda, out var body) is { } parameter) || !(body is AnonymousObjectCreationExpressionSyntax creation))
            {
                return null;
            }

            _lambdaParameters.Add(parameter);
            var columns = ImmutableArray.CreateBuilder<ColumnDefinition>(creation.Initializers.Count);
            foreach (var initializer in creation.Initializers)
            {
                if (initializer.NameEquals is null
                    || !(Chain(initializer.Expression, out var receiver) is { } calls)
                    || !(receiver is IdentifierNameSyntax { Identifier: { ValueText: var name } }) || name != parameter
                    || ((MemberAccessExpressionSyntax)calls[0].Expression).Name.Identifier.ValueText != "Column"
                    || !(Resolve(_symbols.ColumnsBuilder, calls[0], allowInferredColumns: false) is { } resolved)
                    || !(Annotations(calls, resolved.Method.ReturnType, out _) is { } annotations))
                {
                    return null;
                }

                columns.Add(new ColumnDefinition(calls[0], resolved.Method, null, resolved.Arguments, annotations, initializer.NameEquals.Name.Identifier.ValueText));
            }

            return columns.MoveToImmutable();
        }

        /// <summary>
        /// The constraints lambda holds no MigrationBuilder call (the binding reader would count it as a step) and every
        /// <c>PrimaryKey</c>/<c>UniqueConstraint</c> name in it is a constant this reader can read (the history reads them).
        /// </summary>
        private bool ConstraintsAreReadable(SyntaxNode? lambda)
        {
            if (lambda is null)
            {
                return true;
            }

            if (LambdaParameter(lambda, out _) is null)
            {
                return false;
            }

            foreach (var node in lambda.DescendantNodes())
            {
                if (node is IdentifierNameSyntax identifier && identifier.Identifier.ValueText == _builder)
                {
                    return false;
                }

                if (node is InvocationExpressionSyntax call)
                {
                    var name = call.Expression switch
                    {
                        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
                        SimpleNameSyntax simple => simple.Identifier.ValueText,
                        _ => null,
                    };
                    if (name is null
                        || ((name == "PrimaryKey" || name == "UniqueConstraint")
                            && (call.ArgumentList.Arguments.Count == 0 || Constant(call.ArgumentList.Arguments[0].Expression) is null)))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        private static string? LambdaParameter(SyntaxNode? lambda, out CSharpSyntaxNode? body)
        {
            switch (lambda)
            {
                case SimpleLambdaExpressionSyntax simple when simple.Modifiers.Count == 0:
                    body = simple.Body;
                    return simple.Parameter.Identifier.ValueText;
                case ParenthesizedLambdaExpressionSyntax parenthesized when parenthesized.Modifiers.Count == 0 && parenthesized.ParameterList.Parameters.Count == 1 && parenthesized.ParameterList.Parameters[0].Type is null:
                    body = parenthesized.Body;
                    return parenthesized.ParameterList.Parameters[0].Identifier.ValueText;
                default:
                    body = null;
                    return null;
            }
        }

        /// <summary>
        /// The one method of <paramref name="type"/> (or the nearest base declaring the name) that the call binds to,
        /// with its arguments by parameter name; null unless exactly one candidate is applicable and every other is
        /// certainly not. <paramref name="allowInferredColumns"/> lets <c>CreateTable</c>'s type argument be inferred
        /// from the columns lambda (the method is then its generic definition).
        /// </summary>
        private (IMethodSymbol Method, ImmutableDictionary<string, StepValue> Arguments)? Resolve(INamedTypeSymbol type, InvocationExpressionSyntax call, bool allowInferredColumns)
        {
            var name = ((MemberAccessExpressionSyntax)call.Expression).Name;
            var typeArguments = name is GenericNameSyntax generic ? generic.TypeArgumentList.Arguments : default(SeparatedSyntaxList<TypeSyntax>);
            var written = call.ArgumentList.Arguments;
            var values = new Argument?[written.Count];
            for (var i = 0; i < written.Count; i++)
            {
                if (!written[i].RefKindKeyword.IsKind(SyntaxKind.None) || !(Evaluate(written[i].Expression) is { } value))
                {
                    return null;
                }

                values[i] = value;
            }

            for (INamedTypeSymbol? current = type; current != null; current = current.BaseType)
            {
                IMethodSymbol? chosen = null;
                Argument?[]? chosenMapping = null;
                var declared = false;
                foreach (var member in current.GetMembers(name.Identifier.ValueText))
                {
                    // Overrides are skipped: overload resolution binds to the virtual declaration, found in the base.
                    if (!(member is IMethodSymbol candidate) || candidate.IsStatic || candidate.IsOverride || candidate.MethodKind != MethodKind.Ordinary || candidate.DeclaredAccessibility != Accessibility.Public)
                    {
                        if (!(member is IMethodSymbol))
                        {
                            return null;
                        }

                        continue;
                    }

                    declared = true;
                    var inferred = allowInferredColumns && typeArguments.Count == 0 && IsCreateTable(candidate);
                    if (candidate.Arity != typeArguments.Count && !inferred)
                    {
                        continue;
                    }

                    var applicable = Applicable(candidate, call.ArgumentList, values, inferred, out var mapping);
                    if (applicable == Applicability.Unsure)
                    {
                        return null;
                    }

                    if (applicable == Applicability.Yes)
                    {
                        if (chosen != null)
                        {
                            return null;
                        }

                        chosen = candidate;
                        chosenMapping = mapping;
                    }
                }

                if (chosen != null)
                {
                    return Construct(chosen, typeArguments, chosenMapping!);
                }

                if (declared)
                {
                    // None applies: the call may bind to an extension method.
                    return null;
                }
            }

            return null;
        }

        private bool IsCreateTable(IMethodSymbol method) =>
            method.Name == "CreateTable" && method.Arity == 1 && SymbolEqualityComparer.Default.Equals(method.ContainingType, _symbols.MigrationBuilder);

        private (IMethodSymbol Method, ImmutableDictionary<string, StepValue> Arguments)? Construct(IMethodSymbol method, SeparatedSyntaxList<TypeSyntax> typeArguments, Argument?[] mapping)
        {
            if (typeArguments.Count > 0)
            {
                var types = new ITypeSymbol[typeArguments.Count];
                for (var i = 0; i < types.Length; i++)
                {
                    if (!(Type(typeArguments[i]) is { } resolved))
                    {
                        return null;
                    }

                    types[i] = resolved;
                }

                method = _symbols.Construct(method, ImmutableArray.Create(types));
            }

            var arguments = ImmutableDictionary.CreateBuilder<string, StepValue>(StringComparer.Ordinal);
            for (var i = 0; i < method.Parameters.Length; i++)
            {
                var parameter = method.Parameters[i];
                if (mapping[i] is { } argument)
                {
                    arguments[parameter.Name] = argument.Value;
                }
                else if (Default(parameter) is { } value)
                {
                    arguments[parameter.Name] = value;
                }
                else
                {
                    return null;
                }
            }

            return (method, arguments.ToImmutable());
        }

        /// <summary>What an omitted optional argument reads as when bound: the parameter's default constant (none for a nullable value type's null).</summary>
        private static StepValue? Default(IParameterSymbol parameter)
        {
            if (!parameter.HasExplicitDefaultValue)
            {
                return null;
            }

            var value = parameter.ExplicitDefaultValue;
            if (parameter.Type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
            {
                return value is null ? StepValue.FromSyntax(null, omitted: true, default) : null;
            }

            return StepValue.FromSyntax(null, omitted: true, new Optional<object?>(value));
        }

        private enum Applicability
        {
            No,
            Yes,
            Unsure,
        }

        private Applicability Applicable(IMethodSymbol candidate, ArgumentListSyntax list, Argument?[] values, bool inferredColumns, out Argument?[] mapping)
        {
            var parameters = candidate.Parameters;
            mapping = new Argument?[parameters.Length];
            var named = false;
            for (var i = 0; i < values.Length; i++)
            {
                var argument = list.Arguments[i];
                int ordinal;
                if (argument.NameColon is { } nameColon)
                {
                    named = true;
                    ordinal = -1;
                    for (var p = 0; p < parameters.Length; p++)
                    {
                        if (parameters[p].Name == nameColon.Name.Identifier.ValueText)
                        {
                            ordinal = p;
                            break;
                        }
                    }

                    if (ordinal < 0)
                    {
                        return Applicability.No;
                    }
                }
                else
                {
                    if (named)
                    {
                        return Applicability.Unsure;
                    }

                    ordinal = i;
                    if (ordinal >= parameters.Length)
                    {
                        return Applicability.No;
                    }
                }

                if (mapping[ordinal] != null || parameters[ordinal].IsParams || parameters[ordinal].RefKind != RefKind.None)
                {
                    return Applicability.Unsure;
                }

                mapping[ordinal] = values[i];
            }

            var result = Applicability.Yes;
            for (var p = 0; p < parameters.Length; p++)
            {
                var parameter = parameters[p];
                if (mapping[p] is { } value)
                {
                    var converts = value.Kind == ValueKind.Lambda
                        ? (inferredColumns && (parameter.Name == "columns" || parameter.Name == "constraints") ? Applicability.Yes : Applicability.Unsure)
                        : Converts(value, parameter.Type);
                    if (converts == Applicability.No)
                    {
                        return Applicability.No;
                    }

                    if (converts == Applicability.Unsure)
                    {
                        result = Applicability.Unsure;
                    }
                }
                else if (!parameter.IsOptional)
                {
                    return Applicability.No;
                }
            }

            return result;
        }

        /// <summary>Whether <paramref name="value"/> converts implicitly to <paramref name="target"/>, conservatively.</summary>
        private static Applicability Converts(Argument value, ITypeSymbol target)
        {
            if (target.SpecialType == SpecialType.System_Object)
            {
                return Applicability.Yes;
            }

            var nullable = target.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;
            var underlying = nullable ? ((INamedTypeSymbol)target).TypeArguments[0] : target;
            switch (value.Kind)
            {
                case ValueKind.Null:
                    return target.IsReferenceType || nullable ? Applicability.Yes : target.IsValueType ? Applicability.No : Applicability.Unsure;
                case ValueKind.Constant:
                    return ConvertsConstant(value.Type, value.Value.Constant, underlying);
                case ValueKind.Enum:
                    return SymbolEqualityComparer.Default.Equals(underlying, value.Symbol) ? Applicability.Yes : IsOther(underlying);
                case ValueKind.TypeOf:
                    return underlying is INamedTypeSymbol { Name: "Type", ContainingNamespace: { Name: "System", ContainingNamespace: { IsGlobalNamespace: true } } } ? Applicability.Yes : IsOther(underlying);
                case ValueKind.Array:
                    if (underlying is IArrayTypeSymbol array)
                    {
                        if (array.Rank != value.Rank)
                        {
                            return Applicability.No;
                        }

                        if (array.ElementType.SpecialType == value.Type)
                        {
                            return Applicability.Yes;
                        }

                        return array.ElementType.SpecialType == SpecialType.System_Object && value.Type == SpecialType.System_String ? Applicability.Yes
                            : array.ElementType.SpecialType != SpecialType.None ? Applicability.No : Applicability.Unsure;
                    }

                    return IsOther(underlying);
                default:
                    return Applicability.Unsure;
            }
        }

        /// <summary>A target that no literal, enum, Type or array of another kind converts to: string, bool, numbers, enums, arrays.</summary>
        private static Applicability IsOther(ITypeSymbol target) =>
            IsPredefinedValue(target.SpecialType) || target.SpecialType == SpecialType.System_String || target.TypeKind == TypeKind.Enum || target.TypeKind == TypeKind.Array
                ? Applicability.No
                : Applicability.Unsure;

        private static bool IsPredefinedValue(SpecialType type) => type >= SpecialType.System_Boolean && type <= SpecialType.System_Double;

        private static Applicability ConvertsConstant(SpecialType source, object? constant, ITypeSymbol target)
        {
            var to = target.SpecialType;
            if (source == to)
            {
                return Applicability.Yes;
            }

            if (source == SpecialType.System_String || source == SpecialType.System_Boolean)
            {
                return IsOther(target);
            }

            // Numbers and char: the implicit numeric conversions, and int constants that fit a smaller type.
            if (to == SpecialType.System_Decimal || to == SpecialType.System_Single || to == SpecialType.System_Double)
            {
                return source == SpecialType.System_Double || source == SpecialType.System_Single || source == SpecialType.System_Decimal
                    ? (source == SpecialType.System_Single && to == SpecialType.System_Double ? Applicability.Yes : Applicability.No)
                    : Applicability.Yes;
            }

            if (IsPredefinedValue(to) && to != SpecialType.System_Boolean)
            {
                if (source == SpecialType.System_Double || source == SpecialType.System_Single || source == SpecialType.System_Decimal)
                {
                    return Applicability.No;
                }

                var number = constant is char c ? c : Convert.ToDecimal(constant, System.Globalization.CultureInfo.InvariantCulture);
                var (min, max) = Range(to);
                if (source == SpecialType.System_Char && to == SpecialType.System_Int16)
                {
                    return Applicability.No;
                }

                // int constants convert to any integer type they fit; long to ulong when not negative; char widens.
                var widening = source == SpecialType.System_Char
                    || source == SpecialType.System_Int32
                    || (source == SpecialType.System_Int64 && to == SpecialType.System_UInt64)
                    || (source == SpecialType.System_UInt32 && (to == SpecialType.System_Int64 || to == SpecialType.System_UInt64));
                return widening && to != SpecialType.System_Char && number >= min && number <= max ? Applicability.Yes : Applicability.No;
            }

            // A zero converts to any enum.
            return target.TypeKind == TypeKind.Enum ? Applicability.Unsure : IsOther(target);
        }

        private static (decimal Min, decimal Max) Range(SpecialType type) =>
            type switch
            {
                SpecialType.System_SByte => (sbyte.MinValue, sbyte.MaxValue),
                SpecialType.System_Byte => (byte.MinValue, byte.MaxValue),
                SpecialType.System_Int16 => (short.MinValue, short.MaxValue),
                SpecialType.System_UInt16 => (ushort.MinValue, ushort.MaxValue),
                SpecialType.System_Int32 => (int.MinValue, int.MaxValue),
                SpecialType.System_UInt32 => (uint.MinValue, uint.MaxValue),
                SpecialType.System_Int64 => (long.MinValue, long.MaxValue),
                SpecialType.System_UInt64 => (ulong.MinValue, ulong.MaxValue),
                _ => (0, -1),
            };

        private enum ValueKind
        {
            Null,
            Constant,
            Enum,
            TypeOf,
            Array,
            Lambda,

            /// <summary><c>new DateTime(2024, 1, 1)</c> with constant arguments: nothing is known of it, as when bound; fits <c>object</c> only here.</summary>
            Created,
        }

        /// <summary>An argument as read: its <see cref="StepValue"/> and what overload resolution needs to know of it.</summary>
        private sealed class Argument
        {
            public Argument(ValueKind kind, StepValue value, SpecialType type = SpecialType.None, ITypeSymbol? symbol = null, int rank = 0)
            {
                Kind = kind;
                Value = value;
                Type = type;
                Symbol = symbol;
                Rank = rank;
            }

            public ValueKind Kind { get; }

            public StepValue Value { get; }

            /// <summary>The constant's type, or an array's element type.</summary>
            public SpecialType Type { get; }

            /// <summary>The enum type of an enum member.</summary>
            public ITypeSymbol? Symbol { get; }

            public int Rank { get; }
        }

        private Argument? Evaluate(ExpressionSyntax expression)
        {
            if (expression.IsKind(SyntaxKind.NullLiteralExpression))
            {
                return new Argument(ValueKind.Null, StepValue.FromSyntax(expression, omitted: false, new Optional<object?>(null)));
            }

            if (Constant(expression) is { } constant)
            {
                return new Argument(ValueKind.Constant, StepValue.FromSyntax(expression, omitted: false, new Optional<object?>(constant.Value)), constant.Type);
            }

            switch (expression)
            {
                case TypeOfExpressionSyntax typeOf:
                    return Type(typeOf.Type) is { } type ? new Argument(ValueKind.TypeOf, StepValue.FromSyntax(expression, omitted: false, default, typeOf: type)) : null;
                case MemberAccessExpressionSyntax member:
                    return EnumMember(member);
                case ArrayCreationExpressionSyntax { Initializer: { } initializer } creation
                    when creation.Type.RankSpecifiers.Count == 1 && creation.Type.ElementType is PredefinedTypeSyntax predefined
                         && creation.Type.RankSpecifiers[0].Sizes.All(s => s is OmittedArraySizeExpressionSyntax):
                    return Array(expression, initializer, Special(predefined.Keyword.Kind()), creation.Type.RankSpecifiers[0].Rank);
                case ImplicitArrayCreationExpressionSyntax implicitArray when implicitArray.Commas.Count == 0:
                    return Array(expression, implicitArray.Initializer, SpecialType.None, 1);
                case ObjectCreationExpressionSyntax { Initializer: null, ArgumentList: { } arguments } creation when !(creation.Type is PredefinedTypeSyntax):
                    foreach (var argument in arguments.Arguments)
                    {
                        if (argument.NameColon != null || !argument.RefKindKeyword.IsKind(SyntaxKind.None)
                            || !(Evaluate(argument.Expression) is { Kind: ValueKind.Constant or ValueKind.Null or ValueKind.Enum }))
                        {
                            return null;
                        }
                    }

                    return new Argument(ValueKind.Created, StepValue.FromSyntax(expression, omitted: false, default));
                case SimpleLambdaExpressionSyntax _:
                case ParenthesizedLambdaExpressionSyntax _:
                    return new Argument(ValueKind.Lambda, StepValue.FromSyntax(expression, omitted: false, default));
                default:
                    return null;
            }
        }

        /// <summary>
        /// An array of literals; <paramref name="elementType"/> None for <c>new[] { ... }</c> (then all elements must be of
        /// one kind). Rows of a two-dimensional array are elements nothing is known of, as when bound.
        /// </summary>
        private Argument? Array(ExpressionSyntax expression, InitializerExpressionSyntax initializer, SpecialType elementType, int rank)
        {
            if (rank > 2 || (elementType == SpecialType.None && rank != 1))
            {
                return null;
            }

            var elements = ImmutableArray.CreateBuilder<StepValue>(initializer.Expressions.Count);
            var inferred = SpecialType.None;
            var hasNull = false;
            foreach (var element in initializer.Expressions)
            {
                if (rank == 2)
                {
                    if (!(element is InitializerExpressionSyntax row) || row.Expressions.Any(e => !(Evaluate(e) is { Kind: ValueKind.Null or ValueKind.Constant or ValueKind.Enum or ValueKind.Created })))
                    {
                        return null;
                    }

                    elements.Add(StepValue.FromSyntax(element, omitted: false, default));
                    continue;
                }

                if (!(Evaluate(element) is { } value)
                    || !(value.Kind == ValueKind.Constant || value.Kind == ValueKind.Null
                         || (elementType == SpecialType.System_Object && (value.Kind == ValueKind.Enum || value.Kind == ValueKind.Created))))
                {
                    return null;
                }

                if (value.Kind == ValueKind.Enum || value.Kind == ValueKind.Created)
                {
                    // Only in new object[] { ... }: boxed as written.
                }
                else if (value.Kind == ValueKind.Null)
                {
                    hasNull = true;
                }
                else if (inferred == SpecialType.None)
                {
                    inferred = value.Type;
                }
                else if (inferred != value.Type)
                {
                    inferred = SpecialType.System_Object;
                }

                elements.Add(value.Value);
            }

            if (elementType == SpecialType.None)
            {
                // new[] { ... }: only one element type (string may mix with null) is inferred here.
                if (inferred == SpecialType.None || inferred == SpecialType.System_Object || (hasNull && inferred != SpecialType.System_String))
                {
                    return null;
                }

                elementType = inferred;
            }
            else if (elementType != SpecialType.System_Object && ((hasNull && elementType != SpecialType.System_String) || (inferred != SpecialType.None && inferred != elementType)))
            {
                // new int[] { 1L } and the like need conversions (or do not compile): leave them to binding.
                return null;
            }

            return new Argument(ValueKind.Array, StepValue.FromSyntax(expression, omitted: false, default, elements.MoveToImmutable()), elementType, rank: rank);
        }

        /// <summary><c>Some.Enum.Member</c> bound on its own (as an expression at the method's signature, outside its body).</summary>
        private Argument? EnumMember(MemberAccessExpressionSyntax member)
        {
            ExpressionSyntax left = member;
            while (left is MemberAccessExpressionSyntax access && access.IsKind(SyntaxKind.SimpleMemberAccessExpression) && access.Name is IdentifierNameSyntax)
            {
                left = access.Expression;
            }

            // A name that the method itself declares (its parameter, a lambda's) would bind differently in the body.
            if (!(left is IdentifierNameSyntax identifier) || identifier.Identifier.ValueText == _builder || _lambdaParameters.Contains(identifier.Identifier.ValueText))
            {
                return null;
            }

            var symbol = SemanticModel().GetSpeculativeSymbolInfo(_declaration.ReturnType.SpanStart, member, SpeculativeBindingOption.BindAsExpression).Symbol;
            if (!(symbol is IFieldSymbol { HasConstantValue: true, ContainingType: { TypeKind: TypeKind.Enum } enumType } field))
            {
                return null;
            }

            _boundSourceSymbol |= IsFromSource(enumType);

            return new Argument(ValueKind.Enum, StepValue.FromSyntax(member, omitted: false, new Optional<object?>(field.ConstantValue), enumMember: field.Name), symbol: enumType);
        }

        /// <summary>A type argument or <c>typeof</c> operand: keywords directly, other names bound on their own at the method's signature.</summary>
        private ITypeSymbol? Type(TypeSyntax syntax)
        {
            if (syntax is PredefinedTypeSyntax predefined && Special(predefined.Keyword.Kind()) is var special && special != SpecialType.None)
            {
                return _compilation.GetSpecialType(special);
            }

            var text = syntax.ToString();
            if (!_types.TryGetValue(text, out var type))
            {
                type = SemanticModel().GetSpeculativeTypeInfo(_declaration.ReturnType.SpanStart, syntax, SpeculativeBindingOption.BindAsTypeOrNamespace).Type;
                if (type is null || type.TypeKind == TypeKind.Error)
                {
                    type = null;
                }
                else
                {
                    _boundSourceSymbol |= IsFromSource(type);
                }

                _types[text] = type;
            }

            return type;
        }

        /// <summary>The type, or one of its type arguments or element types, is declared in this compilation's source.</summary>
        private static bool IsFromSource(ITypeSymbol type)
        {
            switch (type)
            {
                case IArrayTypeSymbol array:
                    return IsFromSource(array.ElementType);
                case IPointerTypeSymbol pointer:
                    return IsFromSource(pointer.PointedAtType);
                case INamedTypeSymbol named:
                    foreach (var argument in named.TypeArguments)
                    {
                        if (IsFromSource(argument))
                        {
                            return true;
                        }
                    }

                    return !named.Locations.All(location => location.IsInMetadata);
                default:
                    return !type.Locations.All(location => location.IsInMetadata);
            }
        }

        private SemanticModel SemanticModel()
        {
#pragma warning disable RS1030 // Speculative binding of a type name at the method's signature: the body is not bound.
            return _semanticModel ??= _compilation.GetSemanticModel(_declaration.SyntaxTree);
#pragma warning restore RS1030
        }

        /// <summary>
        /// The constant of a literal (string in any form, number, char, bool), a negated number, or a <c>+</c> of
        /// constant strings, with its type; null for anything else (null literal included).
        /// </summary>
        internal static (object Value, SpecialType Type)? Constant(ExpressionSyntax expression)
        {
            switch (expression)
            {
                case LiteralExpressionSyntax literal:
                    switch (literal.Kind())
                    {
                        case SyntaxKind.StringLiteralExpression:
                            return (literal.Token.ValueText, SpecialType.System_String);
                        case SyntaxKind.TrueLiteralExpression:
                            return (true, SpecialType.System_Boolean);
                        case SyntaxKind.FalseLiteralExpression:
                            return (false, SpecialType.System_Boolean);
                        case SyntaxKind.CharacterLiteralExpression:
                        case SyntaxKind.NumericLiteralExpression:
                            return literal.Token.Value is { } value && NumberType(value) is var type && type != SpecialType.None ? (value, type) : ((object, SpecialType)?)null;
                        default:
                            return null;
                    }

                case PrefixUnaryExpressionSyntax { OperatorToken: { RawKind: (int)SyntaxKind.MinusToken }, Operand: LiteralExpressionSyntax operand } when operand.IsKind(SyntaxKind.NumericLiteralExpression):
                    switch (operand.Token.Value)
                    {
                        case int i when i != int.MinValue:
                            return (-i, SpecialType.System_Int32);
                        case long l when l != long.MinValue:
                            return (-l, SpecialType.System_Int64);
                        case double d:
                            return (-d, SpecialType.System_Double);
                        case float f:
                            return (-f, SpecialType.System_Single);
                        case decimal m:
                            return (-m, SpecialType.System_Decimal);
                        default:
                            return null;
                    }

                case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.AddExpression):
                    return Constant(binary.Left) is { Type: SpecialType.System_String } left && Constant(binary.Right) is { Type: SpecialType.System_String } right
                        ? ((string)left.Value + (string)right.Value, SpecialType.System_String)
                        : ((object, SpecialType)?)null;
                default:
                    return null;
            }
        }

        private static SpecialType NumberType(object value) =>
            value switch
            {
                int _ => SpecialType.System_Int32,
                uint _ => SpecialType.System_UInt32,
                long _ => SpecialType.System_Int64,
                ulong _ => SpecialType.System_UInt64,
                float _ => SpecialType.System_Single,
                double _ => SpecialType.System_Double,
                decimal _ => SpecialType.System_Decimal,
                char _ => SpecialType.System_Char,
                _ => SpecialType.None,
            };

        private static SpecialType Special(SyntaxKind keyword) =>
            keyword switch
            {
                SyntaxKind.BoolKeyword => SpecialType.System_Boolean,
                SyntaxKind.ByteKeyword => SpecialType.System_Byte,
                SyntaxKind.SByteKeyword => SpecialType.System_SByte,
                SyntaxKind.ShortKeyword => SpecialType.System_Int16,
                SyntaxKind.UShortKeyword => SpecialType.System_UInt16,
                SyntaxKind.IntKeyword => SpecialType.System_Int32,
                SyntaxKind.UIntKeyword => SpecialType.System_UInt32,
                SyntaxKind.LongKeyword => SpecialType.System_Int64,
                SyntaxKind.ULongKeyword => SpecialType.System_UInt64,
                SyntaxKind.FloatKeyword => SpecialType.System_Single,
                SyntaxKind.DoubleKeyword => SpecialType.System_Double,
                SyntaxKind.DecimalKeyword => SpecialType.System_Decimal,
                SyntaxKind.CharKeyword => SpecialType.System_Char,
                SyntaxKind.StringKeyword => SpecialType.System_String,
                SyntaxKind.ObjectKeyword => SpecialType.System_Object,
                _ => SpecialType.None,
            };
    }
}
