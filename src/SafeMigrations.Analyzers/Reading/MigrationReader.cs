using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SafeMigrations.Analyzers.Model;

namespace SafeMigrations.Analyzers.Reading
{
    /// <summary>
    /// Reads an <c>Up</c> or <c>Down</c> body into a <see cref="MigrationModel"/> through IOperation. It reads every
    /// MigrationBuilder call in the body (including inside loops, conditionals and lambdas), records what is constant
    /// and leaves the rest unknown. Calls made inside helper methods are not followed.
    /// </summary>
    internal static class MigrationReader
    {
        public static MigrationModel Read(EfSymbols symbols, INamedTypeSymbol migrationType, IMethodSymbol method, MigrationDirection direction, ImmutableArray<IOperation> operationBlocks)
        {
            var isContractClass = IsContractClass(symbols, migrationType);

            var calls = new List<IInvocationOperation>();
            foreach (var block in operationBlocks)
            {
                foreach (var operation in block.DescendantsAndSelf())
                {
                    if (operation is IInvocationOperation invocation && IsStep(symbols, invocation))
                    {
                        calls.Add(invocation);
                    }
                }
            }

            calls.Sort((a, b) => a.Syntax.SpanStart.CompareTo(b.Syntax.SpanStart));

            var steps = ImmutableArray.CreateBuilder<MigrationStep>(calls.Count);
            foreach (var invocation in calls)
            {
                steps.Add(ReadStep(symbols, invocation, steps.Count, isContractClass));
            }

            var tree = operationBlocks.IsDefaultOrEmpty ? null : operationBlocks[0].Syntax.SyntaxTree;
            return new MigrationModel(migrationType, method, direction, isContractClass, steps.MoveToImmutable(), tree);
        }

        /// <summary><c>[ContractPhase]</c> is on the migration class.</summary>
        internal static bool IsContractClass(EfSymbols symbols, INamedTypeSymbol migrationType)
        {
            foreach (var attribute in migrationType.GetAttributes())
            {
                if (symbols.IsContractPhaseAttribute(attribute.AttributeClass))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The SQL of a <c>Sql(sql, suppressTransaction)</c> step; diagnostics go to the SQL argument as written.</summary>
        internal static SqlCall SqlOf(ImmutableDictionary<string, StepValue> arguments, SyntaxNode call)
        {
            var sqlValue = arguments["sql"];
            var suppress = arguments.TryGetValue("suppressTransaction", out var suppressValue) ? suppressValue.AsBool() : false;
            return new SqlCall(sqlValue.AsString(), suppress, (sqlValue.Syntax ?? call).GetLocation());
        }

        private static bool IsStep(EfSymbols symbols, IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            if (method.IsExtensionMethod)
            {
                return method.Parameters.Length > 0
                       && symbols.IsMigrationBuilder(method.Parameters[0].Type)
                       && (method.ReturnsVoid || symbols.IsOperationBuilder(method.ReturnType));
            }

            return !method.IsStatic && symbols.IsMigrationBuilder(method.ContainingType);
        }

        private static MigrationStep ReadStep(EfSymbols symbols, IInvocationOperation invocation, int index, bool isContractClass)
        {
            var arguments = ReadArguments(invocation);
            var annotations = ReadChain(symbols, invocation, out var hasContractMark, out _);

            var columns = ImmutableArray<ColumnDefinition>.Empty;
            SqlCall? sql = null;
            var method = invocation.TargetMethod;
            if (!method.IsExtensionMethod)
            {
                if (method.Name == "CreateTable" && arguments.TryGetValue("columns", out var columnsValue))
                {
                    columns = ReadColumns(symbols, columnsValue.Operation);
                }
                else if (method.Name == "Sql" && arguments.ContainsKey("sql"))
                {
                    sql = SqlOf(arguments, invocation.Syntax);
                }
            }

            return new MigrationStep(index, (InvocationExpressionSyntax)invocation.Syntax, method, invocation, arguments, annotations, hasContractMark, isContractClass, columns, sql);
        }

        private static ImmutableDictionary<string, StepValue> ReadArguments(IInvocationOperation invocation)
        {
            var builder = ImmutableDictionary.CreateBuilder<string, StepValue>(StringComparer.Ordinal);
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is { } parameter)
                {
                    builder[parameter.Name] = StepValue.Read(argument.Value, argument.ArgumentKind == ArgumentKind.DefaultValue);
                }
            }

            return builder.ToImmutable();
        }

        /// <summary>
        /// Walks the calls chained on a builder's result: <c>.Annotation(...)</c>, <c>.OldAnnotation(...)</c>,
        /// <c>.InContractPhase()</c> and any other builder-returning call, and returns the annotations.
        /// </summary>
        private static ImmutableArray<StepAnnotation> ReadChain(EfSymbols symbols, IInvocationOperation call, out bool hasContractMark, out IOperation top)
        {
            hasContractMark = false;
            var annotations = ImmutableArray.CreateBuilder<StepAnnotation>();
            IOperation current = call;
            while (true)
            {
                var parent = current.Parent;
                while (parent is IConversionOperation)
                {
                    current = parent;
                    parent = parent.Parent;
                }

                IInvocationOperation? next = null;
                if (parent is IInvocationOperation chained && chained.Instance != null && ReferenceEquals(StepValue.Unwrap(chained.Instance), StepValue.Unwrap(current)))
                {
                    next = chained;
                }
                else if (parent is IArgumentOperation argument
                         && argument.Parent is IInvocationOperation extension
                         && extension.TargetMethod.IsExtensionMethod
                         && extension.Arguments.Length > 0
                         && ReferenceEquals(extension.Arguments[0], argument))
                {
                    next = extension;
                }

                if (next is null)
                {
                    break;
                }

                var name = next.TargetMethod.Name;
                if ((name == "Annotation" || name == "OldAnnotation") && next.Arguments.Length == 2 && !next.TargetMethod.IsExtensionMethod)
                {
                    var annotation = new StepAnnotation(
                        StepValue.Read(ArgumentFor(next, 0)).AsString(),
                        StepValue.Read(ArgumentFor(next, 1)),
                        isOld: name == "OldAnnotation");
                    annotations.Add(annotation);
                    if (annotation.MarksContractPhase)
                    {
                        hasContractMark = true;
                    }
                }
                else if (name == EfSymbols.InContractPhaseMethodName && next.TargetMethod.IsExtensionMethod)
                {
                    hasContractMark = true;
                }
                else if (!symbols.IsOperationBuilder(next.TargetMethod.ReturnType))
                {
                    break;
                }

                current = next;
            }

            top = current;
            return annotations.ToImmutable();
        }

        private static IOperation? ArgumentFor(IInvocationOperation invocation, int ordinal)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.Ordinal == ordinal)
                {
                    return argument.Value;
                }
            }

            return null;
        }

        private static ImmutableArray<ColumnDefinition> ReadColumns(EfSymbols symbols, IOperation? columnsLambda)
        {
            if (columnsLambda is null)
            {
                return ImmutableArray<ColumnDefinition>.Empty;
            }

            var columns = ImmutableArray.CreateBuilder<ColumnDefinition>();
            foreach (var operation in columnsLambda.Descendants())
            {
                if (operation is IInvocationOperation invocation
                    && invocation.TargetMethod.Name == "Column"
                    && symbols.IsColumnsBuilder(invocation.TargetMethod.ContainingType))
                {
                    var annotations = ReadChain(symbols, invocation, out _, out var top);
                    string? propertyName = null;
                    var parent = top.Parent;
                    while (parent is IConversionOperation)
                    {
                        parent = parent.Parent;
                    }

                    if (parent is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation property })
                    {
                        propertyName = property.Property.Name;
                    }

                    columns.Add(new ColumnDefinition((InvocationExpressionSyntax)invocation.Syntax, invocation.TargetMethod, invocation, ReadArguments(invocation), annotations, propertyName));
                }
            }

            return columns.ToImmutable();
        }
    }
}
