use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = kejiyun::cli::Cli::parse();
    match kejiyun::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
