from . import prm_mdf_report
