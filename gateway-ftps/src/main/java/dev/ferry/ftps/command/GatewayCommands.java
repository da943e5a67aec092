package dev.ferry.ftps.command;

import dev.ferry.ftps.listing.ListingFormat;
import java.time.Clock;
import org.apache.ftpserver.command.CommandFactory;
import org.apache.ftpserver.command.CommandFactoryFactory;

/**
 * FtpServer's commands with Ferry's in place of every one that touches files. Session, TLS and
 * data-connection commands (USER, PASS, AUTH, PBSZ, PROT, PASV, EPSV, PORT, REST, TYPE, FEAT, ...)
 * stay FtpServer's.
 */
public final class GatewayCommands {

  private GatewayCommands() {}

  public static CommandFactory create(Clock clock, CommandsInFlight inFlight) {
    CommandFactoryFactory factory = new CommandFactoryFactory() {
      @Override
      public void addCommand(String name, org.apache.ftpserver.command.Command command) {
        super.addCommand(name, ((GatewayCommand) command).countedIn(inFlight));
      }
    };
    factory.addCommand("STOR", new StoreCommand(false));
    factory.addCommand("APPE", new StoreCommand(true));
    factory.addCommand("RETR", new RetrieveCommand());
    factory.addCommand("LIST", new ListCommand(ListingFormat.LIST, clock));
    factory.addCommand("NLST", new ListCommand(ListingFormat.NLST, clock));
    factory.addCommand("MLSD", new ListCommand(ListingFormat.MLSD, clock));
    factory.addCommand("MLST", new MlstCommand());
    factory.addCommand("CWD", new CwdCommand());
    factory.addCommand("SIZE", new SizeCommand());
    factory.addCommand("MDTM", new MdtmCommand());
    factory.addCommand("DELE", new DeleCommand());
    factory.addCommand("MKD", new MkdCommand());
    factory.addCommand("RMD", new RmdCommand());
    factory.addCommand("RNFR", new RnfrCommand());
    factory.addCommand("RNTO", new RntoCommand());
    factory.addCommand("STOU", new RefusedCommand("STOU is not supported: name the file with STOR"));
    factory.addCommand("SITE", new RefusedCommand("SITE commands are not supported"));
    return factory.createCommandFactory();
  }
}
