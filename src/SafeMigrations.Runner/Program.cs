using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Threading;
using System.Threading.Tasks;

namespace SafeMigrations.Runner
{
    /// <summary>Entry point: hooks assembly resolution before anything touches the engine.</summary>
    public static class Program
    {
        private static readonly string[] OwnAssemblies = { "SafeMigrations.Engine", "SafeMigrations.Sql", "SafeMigrations" };

        /// <summary>Runs a command; exit code 0 on success, 1 on failure.</summary>
        public static int Main(string[] args)
        {
            // Not AppContext.BaseDirectory: under dotnet exec --depsfile that is the app's folder (the deps file's), not ours.
            string runnerDirectory = Path.GetDirectoryName(typeof(Program).Assembly.Location)!;
            string? appDirectory = null;
            // Our assemblies come from the runner's directory when the app's deps.json does not list them (the app may
            // reference the SafeMigrations package, then its copy wins); the app's own assemblies from its bin directory.
            AssemblyLoadContext.Default.Resolving += (context, name) =>
            {
                if (name.Name is null)
                    return null;
                if (Array.IndexOf(OwnAssemblies, name.Name) >= 0)
                {
                    string own = Path.Combine(runnerDirectory, name.Name + ".dll");
                    if (File.Exists(own))
                        return context.LoadFromAssemblyPath(own);
                }
                if (appDirectory is not null)
                {
                    string candidate = Path.Combine(appDirectory, name.Name + ".dll");
                    if (File.Exists(candidate))
                        return context.LoadFromAssemblyPath(candidate);
                }
                return null;
            };
            try
            {
                return RunCancellable(cancellationToken => RunnerCommand.Run(args, path => appDirectory = path, Console.Out, cancellationToken));
            }
            catch (Exception exception) when (exception is FileNotFoundException or FileLoadException && appDirectory is null)
            {
                // Started as `dotnet SafeMigrations.Runner.dll` without the app's dependencies: EF Core and Npgsql come
                // from the app's deps.json, so the engine cannot even be loaded. Say how to start it instead of a stack trace.
                string missing = (exception as FileNotFoundException)?.FileName ?? (exception as FileLoadException)?.FileName ?? exception.Message;
                Console.Out.WriteLine(RunnerProtocol.Lines.Error + RunnerProtocol.Lines.Separator + RunnerProtocol.Codes.Configuration + RunnerProtocol.Lines.Separator
                    + $"cannot load {missing}: the runner needs your app's dependencies (EF Core, Npgsql). Run it through the dotnet tool (dotnet safemigrations <command>) or the MSBuild targets (dotnet build -t:SafeMigrationsApply ...), "
                    + "or start it as dotnet exec --depsfile <app>.deps.json --runtimeconfig <app>.runtimeconfig.json SafeMigrations.Runner.dll <command> --assembly <app>.dll");
                return RunnerProtocol.ExitFailure;
            }
        }

        /// <summary>
        /// Runs <paramref name="run"/> with a token that Ctrl+C, SIGTERM and the end of the watched parent cancel, so every
        /// entry (this one and <see cref="RunnerHost"/>'s) stops the same clean way.
        /// </summary>
        internal static int RunCancellable(Func<CancellationToken, int> run)
        {
            using var cancellation = new CancellationTokenSource();
            int stopping = 0;
            void Stop(string reason)
            {
                if (Interlocked.Exchange(ref stopping, 1) == 0)
                    Console.Out.WriteLine(RunnerProtocol.Lines.Progress + RunnerProtocol.Lines.Separator + $"stopping: {reason}; the statement in flight is cancelled, completed steps stay recorded");
                cancellation.Cancel();
            }
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                cancellation.Cancel();
            };
            // What a CI timeout sends: stop the same clean way as Ctrl+C (state recorded, SM1009, report written).
            using PosixSignalRegistration? terminate = RegisterTerminate(() => Stop("SIGTERM received"));
            // When the build that started us is killed outright, nothing else would tell us; nor of a cancelled build,
            // which would kill us outright.
            using ParentWatch? parent = ParentWatch.Start(Stop);
            return run(cancellation.Token);
        }

        private static PosixSignalRegistration? RegisterTerminate(Action stop)
        {
            try
            {
                return PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
                {
                    context.Cancel = true;
                    stop();
                });
            }
            catch (PlatformNotSupportedException)
            {
                return null;
            }
        }
    }
}
